/**
 * The one typed job union. A job carries tenant and object ids, never credentials; batches of
 * CloudTrail records travel gzipped (a LookupEvents page, an S3 object, an upload chunk).
 */
export type IngestPath = 'polling' | 's3' | 'eventbridge' | 'upload';

export interface JobPayloads {
  /** Evaluate a batch of CloudTrail records of one tenant account. */
  'detect.batch': {
    tenantId: string;
    accountId: string;
    source: IngestPath;
    /** Stable per batch: a retried or re-enqueued batch has the same id (idempotency). */
    batchId: string;
    /** Gzipped JSON array of records, base64 (see batch-codec). */
    recordsGz: string;
    count: number;
  };
  /** Enqueue due polls, S3 reads and posture checks for every active account (repeatable). */
  'ingest.schedule': Record<string, never>;
  /** LookupEvents of one account-region from its checkpoint. */
  'ingest.poll': { tenantId: string; accountId: string; region: string };
  /** New trail log files of one account-region from the S3 bucket. */
  'ingest.s3': { tenantId: string; accountId: string; region: string };
  /** DescribeTrails / GetTrailStatus / GetEventSelectors of one account. */
  'ingest.posture': { tenantId: string; accountId: string };
  /** Retention (repeatable): drop due partitions and create the next ones, expire deliveries and findings. */
  'maintenance.retention': Record<string, never>;
  /** Hand unpublished domain events (the outbox) to fan-out (repeatable). */
  'webhooks.relay': Record<string, never>;
  /**
   * Domain events of one tenant -> one delivery per matching endpoint each. `domainEventIds`
   * (the relay's batches) or, from jobs queued before batches existed, one `domainEventId`.
   */
  'webhooks.fanout': { tenantId: string; domainEventId?: string; domainEventIds?: string[] };
  /** Re-queue pending deliveries whose job Redis lost or whose job exhausted its retries (repeatable). */
  'webhooks.sweep': Record<string, never>;
  /** The first attempts of many deliveries to one endpoint, sent in parallel and recorded together. */
  'webhooks.deliver-batch': { tenantId: string; endpointId: string; deliveryIds: string[] };
  /** One attempt at delivering one message to one endpoint (retries, redeliveries, the sweep). */
  'webhooks.deliver': {
    tenantId: string;
    deliveryId: string;
    /** Attempt number at which this attempt series began (a redelivery starts a new one); absent: 1. */
    seriesStart?: number;
  };
}

export type JobName = keyof JobPayloads;
export type JobOf<N extends JobName> = JobPayloads[N];

/** Queue groups. A sharded group is one BullMQ queue per shard (`detect-0`, `detect-1`, ...). */
export const QUEUE_NAMES = ['detect', 'ingest', 'webhooks'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Groups split by tenant into DETECT_QUEUE_SHARDS queues; their jobs must carry `tenantId`. */
export const SHARDED_QUEUES: ReadonlySet<QueueName> = new Set(['detect']);

/** Which queue each job runs on; a new job name fails to compile until it is placed. */
export const QUEUE_OF: { [N in JobName]: QueueName } = {
  'detect.batch': 'detect',
  'ingest.schedule': 'ingest',
  'ingest.poll': 'ingest',
  'ingest.s3': 'ingest',
  'ingest.posture': 'ingest',
  'maintenance.retention': 'ingest',
  'webhooks.relay': 'webhooks',
  'webhooks.fanout': 'webhooks',
  'webhooks.sweep': 'webhooks',
  'webhooks.deliver': 'webhooks',
  'webhooks.deliver-batch': 'webhooks',
};

/** The BullMQ queue names of a group: the group itself, or one per shard. */
export function queueNamesOf(group: QueueName, shards: number): string[] {
  if (!SHARDED_QUEUES.has(group)) return [group];
  return Array.from({ length: Math.max(1, shards) }, (_, i) => `${group}-${i}`);
}

/**
 * The hash tag shared by small installation-wide keys and pub/sub channel names. Queues no longer
 * use it (each has its own tag: see queuePrefix); new keys go through redis-keys.ts.
 */
export const QUEUE_PREFIX = '{trailguard}';
