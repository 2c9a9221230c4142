import type { JobsOptions } from 'bullmq';
import { SecretBox } from '@trailguard/webhooks';
import type { JobQueue } from '@trailguard/queues';

/**
 * A deliver job's own retries cover infrastructure failures (database or Redis briefly away):
 * the job is idempotent per attempt number, so running it again is safe, and giving up would
 * lose the alert. Receiver failures never throw; they follow the webhook retry schedule instead.
 */
const DELIVER_JOB_RETRIES: JobsOptions = { attempts: 6, backoff: { type: 'exponential', delay: 2000 } };

/** `deliver:<deliveryId>:<attempt>`: one job per attempt, so re-enqueueing an attempt is a no-op. */
export function deliverJobId(deliveryId: string, attempt: number): string {
  return `deliver:${deliveryId}:${attempt}`;
}

/** The attempt number of a deliver job id; a redelivery's first job has a `-r<time>` suffix. */
export function attemptOfJobId(jobId: string | undefined): number | undefined {
  const n = Number(/^deliver:[^:]+:(\d+)(?:-r\d+)?$/.exec(jobId ?? '')?.[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export interface DeliverJobInput {
  tenantId: string;
  deliveryId: string;
  attempt: number;
  seriesStart: number;
  delayMs?: number;
}

export async function enqueueDeliver(queue: JobQueue, jobs: DeliverJobInput[]): Promise<void> {
  if (jobs.length === 0) return;
  await queue.addBulk(
    'webhooks.deliver',
    jobs.map((j) => ({
      data: { tenantId: j.tenantId, deliveryId: j.deliveryId, seriesStart: j.seriesStart },
      options: { ...DELIVER_JOB_RETRIES, jobId: deliverJobId(j.deliveryId, j.attempt), delay: Math.max(0, j.delayMs ?? 0) },
    })),
  );
}

/** Same key id as the API uses: both read what the other wrote. */
export function webhookSecretBox(secretsKey: Buffer): SecretBox {
  return new SecretBox({ current: { id: 'main', key: secretsKey } });
}
