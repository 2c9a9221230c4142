import { Inject, Injectable, Logger } from '@nestjs/common';
import { Database, WebhooksRepository, type TenantId } from '@trailguard/db';
import { JobQueue, type JobOf } from '@trailguard/queues';
import type { JobHandler } from '../job-handler';

const BATCH = 500;
/** One relay run stops after this long so the next scheduled run is not starved. */
const RUN_BUDGET_MS = 5000;

/**
 * Publishes the outbox: unpublished domain events (any tenant, read through a SECURITY DEFINER
 * look-up that returns ids only) become `webhooks.fanout` jobs, then are marked published inside
 * their tenant's scope. Enqueue comes first: a crash in between re-enqueues, and the job id
 * `fanout:<tenant>:<event>` plus the unique (endpoint, message) delivery make that harmless.
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
      await this.queue.addBulk(
        'webhooks.fanout',
        // BullMQ allows a ':' in a custom id only as exactly three parts, hence the tenant in it.
        // A priority puts fan-out behind deliveries (BullMQ runs unprioritised jobs first): in a
        // burst, messages already fanned out reach receivers instead of queueing behind the rest.
        events.map((e) => ({
          data: { tenantId: e.tenantId, domainEventId: e.id },
          options: { jobId: `fanout:${e.tenantId}:${e.id}`, priority: 1 },
        })),
      );
      const byTenant = new Map<TenantId, string[]>();
      for (const e of events) byTenant.set(e.tenantId, [...(byTenant.get(e.tenantId) ?? []), e.id]);
      for (const [tenantId, ids] of byTenant) {
        await this.db.forTenant(tenantId, (scope) => this.repo.markDomainEventsPublished(scope, ids));
      }
      this.logger.debug({ events: events.length, tenants: byTenant.size }, 'relayed domain events');
      if (events.length < BATCH || Date.now() - started > RUN_BUDGET_MS) return;
    }
  }
}
