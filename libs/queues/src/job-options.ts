import type { JobsOptions } from 'bullmq';
import { CAPPED_EXPONENTIAL } from './backoff';
import type { JobName } from './jobs';

/**
 * Jobs whose loss would lose events or alerts: retried through an outage of Postgres or Redis of
 * about an hour and a half (1 s, 2 s ... then every 5 minutes, 30 attempts); completed jobs
 * trimmed, failed ones kept for inspection.
 */
const durable: JobsOptions = {
  attempts: 30,
  backoff: { type: CAPPED_EXPONENTIAL, delay: 1000 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** Ingestion runs: a failed run is taken up again by a later schedule from the stored checkpoint. */
const rerunnable: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** Periodic jobs run again on their schedule; a failure is not worth retrying hot. */
const periodic: JobsOptions = { attempts: 1, removeOnComplete: true, removeOnFail: { count: 100 } };

export const JOB_OPTIONS: { [N in JobName]: JobsOptions } = {
  'detect.batch': durable,
  'ingest.schedule': periodic,
  'ingest.poll': rerunnable,
  'ingest.s3': rerunnable,
  'ingest.posture': { ...rerunnable, attempts: 3 },
  'webhooks.relay': periodic,
  'webhooks.fanout': durable,
  'webhooks.sweep': periodic,
  'maintenance.retention': periodic,
  // Receiver failures follow the webhook schedule (days), driven by the processor itself; these
  // retries cover the infrastructure, and the sweep re-queues a delivery whose job ran out.
  'webhooks.deliver': {
    attempts: 6,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { age: 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
  'webhooks.deliver-batch': {
    attempts: 6,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { age: 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
};
