import type { SqlScope } from '../database';
import type { IngestSource } from '../generated/client';

export interface IncomingEvent {
  eventId: string;
  eventTime: Date;
}

export class IngestedEventsRepository {
  /**
   * The de-duplication ledger: records these events for the tenant and returns the ids that were
   * not there before (by any path, within DEDUP_WINDOW_HOURS). One statement. Call it in the
   * transaction that folds the events into findings: a batch that failed left no claim, and a
   * batch that committed is not evaluated again when its job runs twice.
   */
  async claim(
    scope: SqlScope,
    batch: { batchId: string; accountId: string; source: IngestSource },
    events: readonly IncomingEvent[],
  ): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    // Sorted, so two batches carrying the same events take their row locks in one order.
    const sorted = [...events].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    const rows = await scope.sql<{ id: string }>(
      `INSERT INTO ingested_events (tenant_id, event_id, account_id, source, batch_id, event_time)
       SELECT $1::uuid, e.id, $2::uuid, $3::"IngestSource", $4, e.t
       FROM unnest($5::text[], $6::timestamptz[]) AS e(id, t)
       ON CONFLICT DO NOTHING
       RETURNING event_id AS id`,
      [
        scope.tenantId,
        batch.accountId,
        batch.source,
        batch.batchId,
        sorted.map((e) => e.eventId),
        sorted.map((e) => e.eventTime.toISOString()),
      ],
    );
    return new Set(rows.map((r) => r.id));
  }
}
