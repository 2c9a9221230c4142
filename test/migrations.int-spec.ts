import { Client } from 'pg';
import { migrate } from '@trailguard/db';
import { schemaSql } from '../scripts/schema-sql';
import { testEnv } from './support/test-env';

/** Catalog facts that define a schema: tables, columns, types, defaults, indexes, constraints, enums. */
async function describeSchema(url: string): Promise<Record<string, string[]>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const q = async (sql: string) => (await client.query(sql)).rows.map((r) => Object.values(r).join(' | ')).sort();
    return {
      columns: await q(`SELECT table_name, column_name, data_type, udt_name, is_nullable, coalesce(column_default, '')
                        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`),
      indexes: await q(`SELECT tablename, indexname, indexdef FROM pg_indexes
                        WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`),
      constraints: await q(`SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
                            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                            WHERE n.nspname = 'public' AND c.conrelid::regclass::text NOT IN ('_prisma_migrations', '"_prisma_migrations"')`),
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
    expect(migrated).toEqual(expected);
  }, 60_000);

  it('are recorded once and re-running applies nothing', async () => {
    const url = await freshDatabase(`tg_schema_rerun_${process.pid}`);
    const first = await migrate(url);
    const second = await migrate(url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(first.applied.length);
  });
});
