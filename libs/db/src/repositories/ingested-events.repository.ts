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
    // Set-based SQL: this runs for every event ingested, and a row-per-object insert through the
    // ORM costs several times more CPU than the database work.
    await scope.tx.$executeRaw`
      INSERT INTO ingested_events (tenant_id, event_id, account_id, source, batch_id, event_time)
      SELECT ${scope.tenantId}::uuid, e.id, ${batch.accountId}::uuid, ${batch.source}::"IngestSource", ${batch.batchId}, e.t
      FROM unnest(${events.map((e) => e.eventId)}::text[], ${events.map((e) => e.eventTime?.toISOString() ?? null)}::timestamptz[]) AS e(id, t)
      ON CONFLICT DO NOTHING`;
    const owned = await scope.tx.$queryRaw<Array<{ eventId: string }>>`
      SELECT event_id AS "eventId" FROM ingested_events WHERE tenant_id = ${scope.tenantId}::uuid AND batch_id = ${batch.batchId}`;
    return new Set(owned.map((o) => o.eventId));
  }
}
