import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { Database } from '@trailguard/db';
import { JobQueue } from '@trailguard/queues';
import {
  DEFAULT_RETRY_SCHEDULE,
  DeliveryAttempts,
  parseRetrySchedule,
  SecretBox,
  SsrfSafeAgent,
  webhookSecretBox,
} from '@trailguard/webhooks';
import { RUNTIME, type Runtime } from '../../common/runtime';

const DEPTH_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized'] as const;

/** Queues of the live API apps; the gauge reads whichever is open (tests build several apps). */
const depthSources = new Set<JobQueue>();

if (!register.getSingleMetric('trailguard_webhook_queue_depth')) {
  new Gauge({
    name: 'trailguard_webhook_queue_depth',
    help: 'Jobs in the webhooks queue (relay, fan-out, deliveries) by state',
    labelNames: ['state'] as const,
    async collect() {
      const source = depthSources.values().next().value;
      if (!source) return;
      const counts = await source.queue('webhooks').getJobCounts(...DEPTH_STATES);
      for (const state of DEPTH_STATES) this.set({ state }, counts[state] ?? 0);
    },
  });
}

/**
 * What the webhooks API needs beyond the database: the queue (redeliveries), the shared
 * sign-send-record path for test sends (with one SSRF-safe agent), and the SecretBox that
 * encrypts signing secrets at rest (`webhookSecretBox`, the same as the worker's).
 */
@Injectable()
export class WebhookInfra implements OnApplicationShutdown {
  readonly agent: SsrfSafeAgent;
  readonly box: SecretBox;
  readonly attempts: DeliveryAttempts;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: private targets and plain http together (development, tests). */
  readonly allowPrivate: boolean;

  constructor(
    @Inject(RUNTIME) runtime: Runtime,
    readonly queue: JobQueue,
    db: Database,
  ) {
    this.allowPrivate = runtime.config.WEBHOOK_ALLOW_PRIVATE_TARGETS;
    this.agent = new SsrfSafeAgent({ allowPrivate: this.allowPrivate, allowHttp: this.allowPrivate });
    this.box = webhookSecretBox(runtime.secretsKey);
    const schedule = runtime.config.WEBHOOK_RETRY_SCHEDULE;
    this.attempts = new DeliveryAttempts({
      db,
      queue,
      box: this.box,
      agent: this.agent,
      schedule: schedule ? parseRetrySchedule(schedule) : DEFAULT_RETRY_SCHEDULE,
    });
    depthSources.add(this.queue);
  }

  async onApplicationShutdown(): Promise<void> {
    depthSources.delete(this.queue);
    await this.agent.close();
  }
}
