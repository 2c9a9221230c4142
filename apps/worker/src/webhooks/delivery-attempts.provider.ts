import type { Provider } from '@nestjs/common';
import { Database } from '@trailguard/db';
import { JobQueue } from '@trailguard/queues';
import { DEFAULT_RETRY_SCHEDULE, DeliveryAttempts, parseRetrySchedule, SsrfSafeAgent, webhookSecretBox } from '@trailguard/webhooks';
import { WORKER_RUNTIME, type WorkerRuntime } from '../worker-runtime';

/**
 * The worker's one DeliveryAttempts: one SSRF-safe agent (its keep-alive pool is shared by every
 * delivery) and one per-endpoint limit for every deliver job of the process.
 */
export const deliveryAttemptsProvider: Provider = {
  provide: DeliveryAttempts,
  inject: [Database, JobQueue, WORKER_RUNTIME],
  useFactory: (db: Database, queue: JobQueue, runtime: WorkerRuntime) => {
    const allow = runtime.config.WEBHOOK_ALLOW_PRIVATE_TARGETS;
    const text = runtime.config.WEBHOOK_RETRY_SCHEDULE;
    return new DeliveryAttempts({
      db,
      queue,
      box: webhookSecretBox(runtime.secretsKey),
      agent: new SsrfSafeAgent({ allowPrivate: allow, allowHttp: allow }),
      schedule: text ? parseRetrySchedule(text) : DEFAULT_RETRY_SCHEDULE,
    });
  },
};
