import { Inject, Injectable, Logger } from '@nestjs/common';
import { Database, WebhooksRepository } from '@trailguard/db';
import { JobQueue, type JobOf } from '@trailguard/queues';
import type { JobHandler } from '../job-handler';
import { WORKER_RUNTIME, type WorkerRuntime } from '../worker-runtime';
import { requeueDeliver, type RequeueOutcome } from '@trailguard/webhooks';
import { sweepRequeued } from '../webhooks/webhook-metrics';

const BATCH = 500;

/**
 * The database, not Redis, is the record of what is still to be delivered. Every
 * WEBHOOK_SWEEP_SECONDS this finds pending deliveries whose next attempt is overdue by that long
 * (any tenant, through a SECURITY DEFINER look-up of ids) and makes sure each has a job: one
 * Redis lost (a restart without persistence) or one that ran out of retries during a long
 * outage would otherwise leave the alert pending for ever.
 */
@Injectable()
export class WebhooksSweepProcessor implements JobHandler<'webhooks.sweep'> {
  readonly jobName = 'webhooks.sweep' as const;
  readonly repeatEveryMs: number;
  private readonly logger = new Logger('WebhooksSweep');
  private readonly repo = new WebhooksRepository();

  constructor(
    private readonly db: Database,
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(WORKER_RUNTIME) runtime: WorkerRuntime,
  ) {
    this.repeatEveryMs = runtime.config.WEBHOOK_SWEEP_SECONDS * 1000;
  }

  async handle(_data: JobOf<'webhooks.sweep'>): Promise<void> {
    const overdue = await this.repo.overdueDeliveries(this.db, new Date(Date.now() - this.repeatEveryMs), BATCH);
    const counts: Record<RequeueOutcome, number> = { queued: 0, retried: 0, in_hand: 0 };
    for (const d of overdue) {
      counts[await requeueDeliver(this.queue, { tenantId: d.tenantId, deliveryId: d.id, attempt: d.attemptCount + 1 })]++;
    }
    if (counts.queued + counts.retried === 0) return;
    sweepRequeued.inc({ how: 'queued' }, counts.queued);
    sweepRequeued.inc({ how: 'retried' }, counts.retried);
    this.logger.warn(counts, 'overdue webhook deliveries given a job again');
  }
}
