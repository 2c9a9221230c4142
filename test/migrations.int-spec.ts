import { Client } from 'pg';
import { migrate } from '@trailguard/db';
import { schemaSql } from '../scripts/schema-sql';
import { testEnv } from './support/test-env';

/**
 * Catalog facts that define a schema: tables, columns, types, defaults, indexes, constraints,
 * enums. Partitioning is the one thing schema.prisma cannot say: partitions (children) are left
 * out, and on a partitioned parent the partition column that Postgres requires in every primary
 * key and unique index is removed from their column lists before comparing (`partitioned` lists
 * those parents and their keys, so the test also proves which tables are partitioned).
 */
async function describeSchema(url: string): Promise<Record<string, string[]>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const rows = async (sql: string) => (await client.query(sql)).rows.map((r) => Object.values(r).map(String));
    const parents = new Map(
      (
        await rows(`SELECT c.relname, a.attname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
                   JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]`)
      ).map(([t, k]) => [t!, k!]),
    );
    // "PRIMARY KEY (id, created_at)" of a parent partitioned on created_at reads "PRIMARY KEY (id)":
    // the partition column appended last to a primary key or unique index is Postgres's, not the model's.
    const unpartitioned = (table: string, text: string) => {
      const key = parents.get(table.replaceAll('"', ''));
      if (!key) return text;
      const plain = text.replace(' ON ONLY ', ' ON ');
      if (!/^(PRIMARY KEY|UNIQUE|CREATE UNIQUE INDEX)/.test(plain)) return plain;
      return plain.replace(/\(([^()]*), "?([a-z_]+)"?\)/, (m, cols: string, last: string) => (last === key ? `(${cols})` : m));
    };
    const notPartition = (col: string) => `NOT EXISTS (SELECT 1 FROM pg_class pc WHERE pc.relname = ${col} AND pc.relispartition)`;
    const q = async (sql: string, table?: number, def?: number) =>
      (await rows(sql))
        .map((r) => r.map((v, i) => (i === def && table !== undefined ? unpartitioned(r[table]!, v) : v)).join(' | '))
        .sort();
    return {
      partitioned: [...parents].map(([t, k]) => `${t} | ${k}`).sort(),
      columns: await q(`SELECT table_name, column_name, data_type, udt_name, is_nullable, coalesce(column_default, '')
                        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
                        AND ${notPartition('table_name')}`),
      indexes: await q(
        `SELECT tablename, indexname, indexdef FROM pg_indexes
         WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' AND ${notPartition('tablename')}`,
        0,
        2,
      ),
      constraints: await q(
        `SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         WHERE n.nspname = 'public' AND c.conrelid::regclass::text NOT IN ('_prisma_migrations', '"_prisma_migrations"')
         -- Postgres 18 catalogues NOT NULL as named constraints; nullability is compared with the
         -- columns above, and a table rebuilt under its old name gets suffixed names (_not_null1).
         AND c.contype <> 'n'
         AND ${notPartition('c.conrelid::regclass::text')}`,
        0,
        2,
      ),
      enums: await q(`SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid`),
    };
  } finally {
    await client.end();
  }
}

async function onServer(...statements: string[]): Promise<void> {
  const admin = new Client({ connectionString: testEnv().ownerUrl });
  await admin.connect();
  try {
    for (const sql of statements) await admin.query(sql);
  } finally {
    await admin.end();
  }
}

const created: string[] = [];

async function freshDatabase(name: string): Promise<string> {
  await onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, `CREATE DATABASE "${name}"`);
  created.push(name);
  const url = new URL(testEnv().ownerUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

describe('migrations', () => {
  afterAll(() => onServer(...created.map((name) => `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));

  it('produce exactly the schema that schema.prisma describes', async () => {
    const expectedUrl = await freshDatabase(`tg_schema_expected_${process.pid}`);
    const migratedUrl = await freshDatabase(`tg_schema_migrated_${process.pid}`);
    const expectedSql = schemaSql(expectedUrl);
    expect(expectedSql).toContain('CREATE TABLE "findings"');
    const direct = new Client({ connectionString: expectedUrl });
    await direct.connect();
    await direct.query(expectedSql);
    await direct.end();
    const result = await migrate(migratedUrl);
    expect(result.applied.length).toBeGreaterThan(0);

    const [expected, migrated] = await Promise.all([describeSchema(expectedUrl), describeSchema(migratedUrl)]);
    expect(migrated.columns?.length).toBeGreaterThan(100);
    // The tables partitioned by day (retention drops whole partitions); schema.prisma has none.
    expect(migrated.partitioned).toEqual(['domain_events | created_at', 'ingested_events | event_time']);
    expect(migrated.partitions).toBeUndefined();
    expect({ ...migrated, partitioned: [] }).toEqual(expected);
  }, 60_000);

  it('are recorded once and re-running applies nothing', async () => {
    const url = await freshDatabase(`tg_schema_rerun_${process.pid}`);
    const first = await migrate(url);
    const second = await migrate(url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(first.applied.length);
  });
});
