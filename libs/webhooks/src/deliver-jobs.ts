import { createHash } from 'node:crypto';
import { deliverBatchOfKey, deliverJobId, type JobQueue } from '@trailguard/queues';
import { SecretBox } from './secret-box';

/** First attempts per `webhooks.deliver-batch` job: a page of sends, one statement to record them. */
export const DELIVER_BATCH_SIZE = 100;
/** How long the sweep can find a delivery's batch job (far beyond any backlog it should wait for). */
const BATCH_OF_TTL_SECONDS = 24 * 3600;

export interface DeliverJobInput {
  tenantId: string;
  deliveryId: string;
  attempt: number;
  seriesStart: number;
  delayMs?: number;
}

/** One `webhooks.deliver` job per attempt (retries, resumes): its id makes re-enqueueing a no-op. */
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

/**
 * The first attempts of new deliveries as `webhooks.deliver-batch` jobs: per endpoint, in pages
 * of DELIVER_BATCH_SIZE, so each job's sends share one endpoint's concurrency limit and a slow
 * receiver only slows its own jobs. The job id is a digest of its deliveries (an identical
 * re-enqueue is a no-op), and each delivery's batch job id is kept for the sweep.
 */
export async function enqueueDeliverBatches(
  queue: JobQueue,
  tenantId: string,
  deliveries: ReadonlyArray<{ id: string; endpointId: string }>,
): Promise<void> {
  if (deliveries.length === 0) return;
  const byEndpoint = new Map<string, string[]>();
  for (const d of deliveries) byEndpoint.set(d.endpointId, [...(byEndpoint.get(d.endpointId) ?? []), d.id]);
  const jobs: Array<{ data: { tenantId: string; endpointId: string; deliveryIds: string[] }; options: { jobId: string } }> = [];
  for (const [endpointId, ids] of byEndpoint) {
    for (let i = 0; i < ids.length; i += DELIVER_BATCH_SIZE) {
      const deliveryIds = ids.slice(i, i + DELIVER_BATCH_SIZE);
      jobs.push({ data: { tenantId, endpointId, deliveryIds }, options: { jobId: deliverBatchJobId(tenantId, deliveryIds) } });
    }
  }
  // The mapping first: a batch job must never run without the sweep being able to find it.
  const pipeline = queue.redis.pipeline();
  for (const j of jobs) {
    for (const id of j.data.deliveryIds) pipeline.set(deliverBatchOfKey(tenantId, id), j.options.jobId, 'EX', BATCH_OF_TTL_SECONDS);
  }
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
  await queue.addBulk('webhooks.deliver-batch', jobs);
}

/** BullMQ allows ':' in a custom id only as exactly three parts. */
function deliverBatchJobId(tenantId: string, deliveryIds: string[]): string {
  const digest = createHash('sha256')
    .update([...deliveryIds].sort().join(','))
    .digest('base64url');
  return `deliver-batch:${tenantId}:${digest}`;
}

/** The one SecretBox of API and worker: the same key id, so each reads what the other wrote. */
export function webhookSecretBox(secretsKey: Buffer): SecretBox {
  return new SecretBox({ current: { id: 'main', key: secretsKey } });
}

export type RequeueOutcome = 'queued' | 'retried' | 'in_hand';

/**
 * Gives a pending delivery's next attempt its job again unless one is waiting, delayed or running
 * (its own job, or for a first attempt the batch job holding it): a job that failed all its
 * retries is retried afresh; a job that is gone (Redis lost it) or that completed without
 * recording the attempt is queued again under the attempt's own id, so sweeps that overlap
 * cannot queue it twice. Such a job starts a new retry series (the original series start went
 * with the job).
 */
export async function requeueDeliver(
  queue: JobQueue,
  d: { tenantId: string; deliveryId: string; attempt: number },
): Promise<RequeueOutcome> {
  const webhooks = queue.queue('webhooks');
  if (d.attempt === 1) {
    const batchJobId = await queue.redis.get(deliverBatchOfKey(d.tenantId, d.deliveryId));
    const batch = batchJobId ? await webhooks.getJob(batchJobId) : undefined;
    const state = batch ? await batch.getState() : 'unknown';
    if (state === 'failed') {
      try {
        // Re-running the whole batch is safe: attempts already recorded are not sent again.
        await batch!.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return 'retried';
      } catch {
        return 'in_hand';
      }
    }
    if (state !== 'unknown' && state !== 'completed') return 'in_hand';
  }
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
