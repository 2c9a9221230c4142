import type { TenantScope } from '../database';
import type { Prisma } from '../generated/client';

/** The webhook event types; `data` is what receivers get under `data`. */
export type DomainEventType = 'finding.created' | 'finding.updated' | 'account.status_changed' | 'posture.changed';

/**
 * Transactional outbox: a domain event is written in the same transaction as the change it
 * describes, so it exists if and only if the change does. The webhooks relay publishes it.
 */
export class DomainEventsRepository {
  async record(scope: TenantScope, type: DomainEventType, data: Prisma.InputJsonObject): Promise<string> {
    const row = await scope.tx.domainEvent.create({ data: { tenantId: scope.tenantId, type, data }, select: { id: true } });
    return row.id;
  }

  async recordMany(scope: TenantScope, events: Array<{ type: DomainEventType; data: Prisma.InputJsonObject }>): Promise<void> {
    if (events.length === 0) return;
    await scope.tx.domainEvent.createMany({ data: events.map((e) => ({ tenantId: scope.tenantId, type: e.type, data: e.data })) });
  }
}
