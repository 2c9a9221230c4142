import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { JobQueue } from '@trailguard/queues';
import { SecretBox, SsrfSafeAgent } from '@trailguard/webhooks';
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
 * What the webhooks API needs beyond the database: the queue (redeliveries), one SSRF-safe agent
 * for test sends, and the SecretBox that encrypts signing secrets at rest. The key id matches
 * the worker's (apps/worker/src/webhooks/deliver-jobs.ts) so each reads what the other wrote.
 */
@Injectable()
export class WebhookInfra implements OnApplicationShutdown {
  readonly agent: SsrfSafeAgent;
  readonly box: SecretBox;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: private targets and plain http together (development, tests). */
  readonly allowPrivate: boolean;

  constructor(
    @Inject(RUNTIME) runtime: Runtime,
    readonly queue: JobQueue,
  ) {
    this.allowPrivate = runtime.config.WEBHOOK_ALLOW_PRIVATE_TARGETS;
    this.agent = new SsrfSafeAgent({ allowPrivate: this.allowPrivate, allowHttp: this.allowPrivate });
    this.box = new SecretBox({ current: { id: 'main', key: runtime.secretsKey } });
    depthSources.add(this.queue);
  }

  async onApplicationShutdown(): Promise<void> {
    depthSources.delete(this.queue);
    await this.agent.close();
  }
}
