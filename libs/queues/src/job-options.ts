import type { JobsOptions } from 'bullmq';
import type { JobName } from './jobs';

/** Retries with exponential backoff; completed jobs trimmed, failed ones kept for inspection. */
const retried: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** Periodic jobs run again on their schedule; a failure is not worth retrying hot. */
const periodic: JobsOptions = { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100 } };

export const JOB_OPTIONS: { [N in JobName]: JobsOptions } = {
  'detect.batch': retried,
  'ingest.schedule': periodic,
  'ingest.poll': { ...retried, attempts: 5 },
  'ingest.s3': { ...retried, attempts: 5 },
  'ingest.posture': { ...retried, attempts: 3 },
  'webhooks.relay': periodic,
  'webhooks.fanout': retried,
  // Delivery retries follow the webhook schedule (days), driven by the processor itself.
  'webhooks.deliver': { attempts: 1, removeOnComplete: { age: 3600 }, removeOnFail: { age: 7 * 24 * 3600 } },
};
