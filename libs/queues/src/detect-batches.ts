import { createHash, randomUUID } from 'node:crypto';
import { encodeRecords } from './batch-codec';
import type { JobQueue } from './job-queue';
import type { IngestPath } from './jobs';
import { tenantKey } from './redis-keys';

export const DETECT_BATCH_SIZE = 1000;
const MAX_PRIORITY = 2_097_151; // BullMQ's largest priority (lowest urgency)

/**
 * Queues records for detection in batches. Fairness across tenants: a batch's priority is the
 * number of batches its tenant already has waiting, so a tenant with a deep backlog cannot starve
 * another tenant's first batch (BullMQ runs lower numbers first).
 * `batchKey` makes re-enqueueing idempotent (e.g. `poll:<account>:<region>:<checkpoint>`); each
 * chunk's job id derives from it. Without one, every call is a new batch.
 */
export async function enqueueDetectBatches(
  queue: JobQueue,
  input: { tenantId: string; accountId: string; source: IngestPath; records: readonly object[]; batchKey?: string },
): Promise<{ batches: number; batchIds: string[] }> {
  const key = input.batchKey ?? randomUUID();
  const chunks: object[][] = [];
  for (let i = 0; i < input.records.length; i += DETECT_BATCH_SIZE) chunks.push(input.records.slice(i, i + DETECT_BATCH_SIZE));
  if (chunks.length === 0) return { batches: 0, batchIds: [] };
  const batchIds = chunks.map((_, i) => `${input.source}:${key}:${i}`);
  // A set, not a counter: a batch queued twice (same key) is counted once, so the count cannot drift.
  const pendingKey = pendingBatchesKey(input.tenantId);
  const [[, pendingBefore]] = (await queue.redis
    .multi()
    .scard(pendingKey)
    .sadd(pendingKey, ...batchIds)
    .exec()) as [[null, number]];
  await queue.addBulk(
    'detect.batch',
    chunks.map((records, i) => ({
      data: {
        tenantId: input.tenantId,
        accountId: input.accountId,
        source: input.source,
        batchId: batchIds[i]!,
        recordsGz: encodeRecords(records),
        count: records.length,
      },
      options: { jobId: detectJobId(input.tenantId, batchIds[i]!), priority: Math.min(MAX_PRIORITY, 1 + pendingBefore + i) },
    })),
  );
  return { batches: chunks.length, batchIds };
}

/**
 * BullMQ refuses custom ids with a ':' unless they have exactly three ':'-separated parts, and
 * batch ids contain ':' (and S3 keys anything): the third part is a digest of the batch id.
 */
function detectJobId(tenantId: string, batchId: string): string {
  return `detect:${tenantId}:${createHash('sha256').update(batchId).digest('base64url')}`;
}

/** Redis set of a tenant's batch ids not yet evaluated; the detect processor removes each when done. */
export function pendingBatchesKey(tenantId: string): string {
  return tenantKey(tenantId, 'detect', 'pending');
}
