import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type QueryResult, type QueryResultRow } from 'pg';
import { PrismaClient, Prisma } from './generated/client';
import type { TenantId } from './tenant-id';

export type Tx = Prisma.TransactionClient;

/** Runs one SQL statement with positional parameters ($1, $2, ...) and returns its rows. */
export type SqlRunner = <R = Record<string, unknown>>(text: string, values?: readonly unknown[]) => Promise<R[]>;

/**
 * A transaction bound to one tenant, reached through plain SQL: what the hot path (detection)
 * and the set-based repository methods use. Every TenantScope is also an SqlScope.
 */
export interface SqlScope {
  readonly tenantId: TenantId;
  readonly sql: SqlRunner;
}

/** A transaction bound to one tenant: the only way repositories reach tenant data. */
export interface TenantScope extends SqlScope {
  readonly tx: Tx;
}

/** One parameterised statement of a pipelined read. */
export interface SqlQuery {
  text: string;
  values: unknown[];
}

export interface DatabaseOptions {
  /** Connection string of the application role (subject to row-level security). */
  url: string;
  poolSize?: number;
  /** Connections of the plain-SQL pool (withTenantSql). */
  sqlPoolSize?: number;
}

/**
 * The application's Prisma client. Tenant data is reached only through `forTenant`, which runs
 * the work in a transaction with `app.tenant_id` set, so Postgres row-level security applies.
 */
export class Database {
  readonly prisma: PrismaClient;
  /**
   * Plain pg connections of the same role for the hot path: a batch's statements carry arrays
   * of thousands of values, and going through the ORM's query compiler cost more CPU than the
   * database work (bench/RESULTS.md, "Upload route of npm start").
   */
  private readonly pool: Pool;
  private readonly url: string;
  private readonly readPoolSize: number;
  /** The pipeline-mode pool of readAsTenant / writeAsTenant (created on first use). */
  private pipelined: Pool | undefined;

  constructor(options: DatabaseOptions) {
    const adapter = new PrismaPg({ connectionString: options.url, max: options.poolSize ?? 10 });
    this.prisma = new PrismaClient({ adapter });
    this.pool = new Pool({ connectionString: options.url, max: options.sqlPoolSize ?? 4 });
    // An idle connection the server drops is replaced on next use; without a listener it would crash the process.
    this.pool.on('error', () => undefined);
    this.url = options.url;
    this.readPoolSize = options.poolSize ?? 10;
  }

  forTenant<T>(tenantId: TenantId, work: (scope: TenantScope) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT set_config('app.tenant_id', ${tenantId}, true)`;
        const sql: SqlRunner = (text, values = []) => tx.$queryRawUnsafe(text, ...values);
        return work({ tenantId, tx, sql });
      },
      { timeout: 30_000, maxWait: 10_000 },
    );
  }

  /** Like forTenant, on a plain pg connection: one transaction, `app.tenant_id` set, RLS applies. */
  async withTenantSql<T>(tenantId: TenantId, work: (scope: SqlScope) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // A connection lost while checked out (Postgres restarting) emits 'error' on the client; the
    // query in hand rejects anyway, and without a listener the process would die.
    const lost = () => (broken = true);
    client.on('error', lost);
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
      const sql: SqlRunner = async <R>(text: string, values: readonly unknown[] = []) =>
        (await client.query(text, values as unknown[])).rows as R[];
      const result = await work({ tenantId, sql });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  /**
   * Hot-path reads as a tenant in one network round trip: BEGIN, the tenant setting, the
   * statements and COMMIT are written to one connection together (the driver's pipeline mode)
   * instead of waiting for each answer as an interactive transaction does. Row-level security
   * applies as in `forTenant`; callers still filter by tenant_id so the indexes serve them.
   * Rows come back as node-postgres parses them (timestamptz as Date, jsonb parsed, arrays).
   */
  readAsTenant<R extends QueryResultRow = QueryResultRow>(tenantId: TenantId, queries: readonly SqlQuery[]): Promise<R[][]> {
    return this.pipelineAsTenant<R>(tenantId, queries, 'BEGIN READ ONLY');
  }

  /**
   * Hot-path writes as a tenant in one round trip, the same way: the statements run in one
   * transaction that commits only if all of them succeed. For statements that do not depend on
   * each other's answers in application code (use CTEs to chain them in SQL).
   */
  writeAsTenant<R extends QueryResultRow = QueryResultRow>(tenantId: TenantId, queries: readonly SqlQuery[]): Promise<R[][]> {
    return this.pipelineAsTenant<R>(tenantId, queries, 'BEGIN');
  }

  private async pipelineAsTenant<R extends QueryResultRow>(
    tenantId: TenantId,
    queries: readonly SqlQuery[],
    begin: string,
  ): Promise<R[][]> {
    if (!this.pipelined) {
      this.pipelined = new Pool({ connectionString: this.url, max: this.readPoolSize, pipeline: true });
      this.pipelined.on('error', () => undefined); // an idle connection the server dropped is replaced on next use
    }
    const client = await this.pipelined.connect();
    let failure: unknown;
    try {
      const sent: Array<Promise<QueryResult>> = [
        client.query(begin),
        client.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]),
        ...queries.map((q) => client.query<R>(q.text, q.values)),
        // After a failed statement this ends the transaction as ROLLBACK: nothing is left open.
        client.query('COMMIT'),
      ];
      const settled = await Promise.allSettled(sent);
      const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (rejected) {
        failure = rejected.reason;
        throw failure;
      }
      return settled.slice(2, -1).map((s) => (s as PromiseFulfilledResult<QueryResult<R>>).value.rows);
    } finally {
      // A connection whose pipeline saw an error is not reused: its state is not worth reasoning about.
      client.release(failure instanceof Error ? failure : undefined);
    }
  }

  async ping(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1`;
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.prisma.$disconnect(), this.pipelined?.end()]);
  }
}
