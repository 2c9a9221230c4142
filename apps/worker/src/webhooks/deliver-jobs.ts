import { SecretBox } from '@trailguard/webhooks';
import { deliverJobId, type JobQueue } from '@trailguard/queues';

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
      options: { jobId: deliverJobId(j.deliveryId, j.attempt), delay: Math.max(0, j.delayMs ?? 0) },
    })),
  );
}

/** Same key id as the API uses: both read what the other wrote. */
export function webhookSecretBox(secretsKey: Buffer): SecretBox {
  return new SecretBox({ current: { id: 'main', key: secretsKey } });
}

export type RequeueOutcome = 'queued' | 'retried' | 'in_hand';

/**
 * Gives a pending delivery's next attempt its job again unless one is waiting, delayed or running:
 * a job that failed all its retries is retried afresh; a job that is gone (Redis lost it) or that
 * completed without recording the attempt is queued again under the attempt's own id, so sweeps
 * that overlap cannot queue it twice. Such a job starts a new retry series (the original series
 * start went with the job).
 */
export async function requeueDeliver(queue: JobQueue, d: { tenantId: string; deliveryId: string; attempt: number }): Promise<RequeueOutcome> {
  const webhooks = queue.queue('webhooks');
  const jobId = deliverJobId(d.deliveryId, d.attempt);
  const job = await webhooks.getJob(jobId);
  const state = job ? await job.getState() : 'unknown';
  try {
    if (state === 'failed') {
      await job!.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return 'retried';
    }
    if (state === 'completed') await job!.remove();
    else if (state !== 'unknown') return 'in_hand';
  } catch {
    return 'in_hand'; // another sweep got there first: the job is moving again
  }
  await queue.add('webhooks.deliver', { tenantId: d.tenantId, deliveryId: d.deliveryId, seriesStart: d.attempt }, { jobId });
  return 'queued';
}
