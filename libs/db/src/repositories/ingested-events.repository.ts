import type { TenantScope } from '../database';
import type { IngestSource } from '../generated/client';

export interface IncomingEvent {
  eventId: string;
  eventTime: Date | null;
}

export class IngestedEventsRepository {
  /**
   * Claims events for a batch: inserts the ids not seen before (for this tenant, by any path),
   * then returns the ids this batch owns — new ones, and ones it claimed on an earlier try, so
   * a retried batch re-evaluates exactly its own events and nobody else's.
   */
  async claim(
    scope: TenantScope,
    batch: { batchId: string; accountId: string; source: IngestSource },
    events: readonly IncomingEvent[],
  ): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    await scope.tx.ingestedEvent.createMany({
      data: events.map((e) => ({
        tenantId: scope.tenantId,
        eventId: e.eventId,
        eventTime: e.eventTime,
        accountId: batch.accountId,
        source: batch.source,
        batchId: batch.batchId,
      })),
      skipDuplicates: true,
    });
    const owned = await scope.tx.ingestedEvent.findMany({
      where: { tenantId: scope.tenantId, batchId: batch.batchId, eventId: { in: events.map((e) => e.eventId) } },
      select: { eventId: true },
    });
    return new Set(owned.map((o) => o.eventId));
  }
}
