import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Database, WebhooksRepository, type TenantId } from '@trailguard/db';
import { JobQueue, type JobOf } from '@trailguard/queues';
import type { JobHandler } from '../job-handler';

const BATCH = 500;
/** Domain events per fan-out job: one read, one insert of their deliveries. */
const FANOUT_BATCH = 100;
/** One relay run stops after this long so the next scheduled run is not starved. */
const RUN_BUDGET_MS = 5000;

/**
 * Publishes the outbox: unpublished domain events (any tenant, read through a SECURITY DEFINER
 * look-up that returns ids only) become `webhooks.fanout` jobs of up to FANOUT_BATCH events of
 * one tenant, then are marked published inside their tenant's scope. Enqueue comes first: a
 * crash in between re-enqueues, and the job id plus the unique (endpoint, message) delivery make
 * that harmless.
 */
@Injectable()
export class WebhooksRelayProcessor implements JobHandler<'webhooks.relay'> {
  readonly jobName = 'webhooks.relay' as const;
  readonly repeatEveryMs = 1000;
  private readonly logger = new Logger('WebhooksRelay');
  private readonly repo = new WebhooksRepository();

  constructor(
    private readonly db: Database,
    @Inject(JobQueue) private readonly queue: JobQueue,
  ) {}

  async handle(_data: JobOf<'webhooks.relay'>): Promise<void> {
    const started = Date.now();
    for (;;) {
      const events = await this.repo.unpublishedDomainEvents(this.db, BATCH);
      if (events.length === 0) return;
      const byTenant = new Map<TenantId, string[]>();
      for (const e of events) byTenant.set(e.tenantId, [...(byTenant.get(e.tenantId) ?? []), e.id]);
      const jobs = [...byTenant].flatMap(([tenantId, ids]) => chunks(ids, FANOUT_BATCH).map((batch) => ({ tenantId, batch })));
      await this.queue.addBulk(
        'webhooks.fanout',
        // BullMQ allows a ':' in a custom id only as exactly three parts, hence the tenant in it;
        // a digest of its events names the batch, so a re-run after a crash that batches the
        // same events queues nothing, and one that batches differently is made harmless by the
        // unique (endpoint, message) deliveries.
        // A priority puts fan-out behind deliveries (BullMQ runs unprioritised jobs first): in a
        // burst, messages already fanned out reach receivers instead of queueing behind the rest.
        jobs.map(({ tenantId, batch }) => ({
          data: { tenantId, domainEventIds: batch },
          options: { jobId: `fanout:${tenantId}:${createHash('sha256').update(batch.join(',')).digest('base64url')}`, priority: 1 },
        })),
      );
      for (const [tenantId, ids] of byTenant) {
        await this.db.forTenant(tenantId, (scope) => this.repo.markDomainEventsPublished(scope, ids));
      }
      this.logger.debug({ events: events.length, tenants: byTenant.size }, 'relayed domain events');
      if (events.length < BATCH || Date.now() - started > RUN_BUDGET_MS) return;
    }
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
