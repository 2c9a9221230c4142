import type { Database } from '../database';

export type PartitionedTable = 'ingested_events' | 'domain_events';

export interface DroppedPartition {
  table: PartitionedTable;
  partition: string;
  rows: number;
}

/**
 * Retention across tenants, for the scheduled retention job: partitions are created ahead and
 * dropped whole when due (the ledger, the outbox); webhook deliveries and findings, which are
 * bounded per tenant or per endpoint rather than by day, are removed in limited chunks. All of it
 * runs through SECURITY DEFINER functions (migrations 20261206100000, 20261206100100).
 */
export class RetentionRepository {
  /** Creates the missing daily partitions of `table` for [from, to) (UTC days); returns how many. */
  async ensurePartitions(db: Database, table: PartitionedTable, from: Date, to: Date): Promise<number> {
    const [row] = await db.prisma.$queryRawUnsafe<Array<{ made: number }>>(
      'SELECT tg_ensure_daily_partitions($1, $2::date, $3::date) AS made',
      table,
      day(from),
      day(to),
    );
    return Number(row?.made ?? 0);
  }

  /** Drops the partitions of `table` whose whole day ends at or before `before`. */
  async dropPartitions(db: Database, table: PartitionedTable, before: Date): Promise<DroppedPartition[]> {
    const rows = await db.prisma.$queryRawUnsafe<Array<{ partition_name: string; row_count: bigint }>>(
      'SELECT partition_name, row_count FROM tg_drop_daily_partitions($1, $2::timestamptz)',
      table,
      before.toISOString(),
    );
    return rows.map((r) => ({ table, partition: r.partition_name, rows: Number(r.row_count) }));
  }

  /** At most `limit` finished deliveries last touched before `before`, with their attempts. */
  async expireDeliveries(db: Database, before: Date, limit: number): Promise<{ deliveries: number; attempts: number }> {
    const [row] = await db.prisma.$queryRawUnsafe<Array<{ deliveries: bigint; attempts: bigint }>>(
      'SELECT deliveries, attempts FROM tg_expire_deliveries($1::timestamptz, $2::int)',
      before.toISOString(),
      limit,
    );
    return { deliveries: Number(row?.deliveries ?? 0), attempts: Number(row?.attempts ?? 0) };
  }

  /** At most `limit` findings past their tenant's retention, with their evidence and activity. */
  async expireFindings(
    db: Database,
    days: { default: number; max: number },
    limit: number,
  ): Promise<{ findings: number; evidence: number; activity: number }> {
    const [row] = await db.prisma.$queryRawUnsafe<Array<{ findings: bigint; evidence: bigint; activity: bigint }>>(
      'SELECT findings, evidence, activity FROM tg_expire_findings($1::int, $2::int, $3::int)',
      days.default,
      days.max,
      limit,
    );
    return { findings: Number(row?.findings ?? 0), evidence: Number(row?.evidence ?? 0), activity: Number(row?.activity ?? 0) };
  }
}

const day = (d: Date) => d.toISOString().slice(0, 10);
