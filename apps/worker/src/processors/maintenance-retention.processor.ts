import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, register } from 'prom-client';
import { Database, RetentionRepository, type PartitionedTable } from '@trailguard/db';
import type { JobOf } from '@trailguard/queues';
import type { JobHandler } from '../job-handler';
import { WORKER_RUNTIME, type WorkerRuntime } from '../worker-runtime';

const DAY_MS = 24 * 3600_000;
/** Partitions exist this many days ahead, so a late run (or a clock a little ahead) never finds none. */
const DAYS_AHEAD = 7;
/** Rows per chunk for deliveries and findings; a run stops after RUN_BUDGET_MS and the next goes on. */
const CHUNK = 5000;
const RUN_BUDGET_MS = 30_000;

function counter(name: string, help: string): Counter<'table'> {
  return (register.getSingleMetric(name) as Counter<'table'> | undefined) ?? new Counter({ name, help, labelNames: ['table'] });
}
const rowsDropped = counter('trailguard_retention_rows_dropped_total', 'Rows removed by retention, by table');
const partitionsDropped = counter('trailguard_retention_partitions_dropped_total', 'Daily partitions dropped by retention, by table');

export interface RetentionOutcome {
  partitionsCreated: number;
  dropped: Record<string, number>;
  partitions: string[];
}

/**
 * Bounded storage, on a schedule (RETENTION_INTERVAL_SECONDS): creates the coming days'
 * partitions of the ledger and the outbox, drops their partitions once past DEDUP_WINDOW_HOURS
 * (ledger) or DELIVERY_RETENTION_DAYS (published outbox), and removes finished webhook deliveries
 * with their attempts, and findings with their evidence past each tenant's retention, in chunks.
 */
@Injectable()
export class MaintenanceRetentionProcessor implements JobHandler<'maintenance.retention'> {
  readonly jobName = 'maintenance.retention' as const;
  readonly repeatEveryMs: number;
  private readonly logger = new Logger('Retention');
  private readonly repo = new RetentionRepository();

  constructor(
    private readonly db: Database,
    @Inject(WORKER_RUNTIME) private readonly runtime: WorkerRuntime,
  ) {
    this.repeatEveryMs = runtime.config.RETENTION_INTERVAL_SECONDS * 1000;
  }

  async handle(_data: JobOf<'maintenance.retention'>): Promise<void> {
    const outcome = await this.run(new Date());
    if (outcome.partitions.length > 0 || Object.values(outcome.dropped).some((n) => n > 0)) {
      this.logger.log({ ...outcome }, 'retention ran');
    }
  }

  /** One retention pass as of `now` (tests pass a later clock to see what falls due). */
  async run(now: Date): Promise<RetentionOutcome> {
    const { config } = this.runtime;
    const started = Date.now();
    const dropped: Record<string, number> = {};
    const add = (table: string, n: number) => {
      dropped[table] = (dropped[table] ?? 0) + n;
      if (n > 0) rowsDropped.inc({ table }, n);
    };
    const tables: Array<{ table: PartitionedTable; keepMs: number }> = [
      { table: 'ingested_events', keepMs: config.DEDUP_WINDOW_HOURS * 3600_000 },
      { table: 'domain_events', keepMs: config.DELIVERY_RETENTION_DAYS * DAY_MS },
    ];
    let partitionsCreated = 0;
    const partitions: string[] = [];
    for (const { table, keepMs } of tables) {
      // From the oldest day still kept, so a partition dropped too early cannot be missing for late events.
      partitionsCreated += await this.repo.ensurePartitions(
        this.db,
        table,
        new Date(now.getTime() - keepMs),
        new Date(now.getTime() + DAYS_AHEAD * DAY_MS),
      );
      for (const p of await this.repo.dropPartitions(this.db, table, new Date(now.getTime() - keepMs))) {
        partitions.push(p.partition);
        partitionsDropped.inc({ table });
        add(table, p.rows);
      }
    }
    const deliveriesBefore = new Date(now.getTime() - config.DELIVERY_RETENTION_DAYS * DAY_MS);
    for (;;) {
      const r = await this.repo.expireDeliveries(this.db, deliveriesBefore, CHUNK);
      add('webhook_deliveries', r.deliveries);
      add('webhook_attempts', r.attempts);
      if (r.deliveries < CHUNK || Date.now() - started > RUN_BUDGET_MS) break;
    }
    for (;;) {
      const r = await this.repo.expireFindings(
        this.db,
        { default: config.FINDING_RETENTION_DAYS, max: config.FINDING_RETENTION_MAX_DAYS },
        CHUNK,
      );
      add('findings', r.findings);
      add('finding_events', r.evidence);
      add('finding_activity', r.activity);
      if (r.findings < CHUNK || Date.now() - started > RUN_BUDGET_MS) break;
    }
    return { partitionsCreated, dropped, partitions };
  }
}
