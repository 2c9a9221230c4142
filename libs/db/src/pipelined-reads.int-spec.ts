import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Database } from './database';
import { asTenantId } from './tenant-id';

/**
 * `readAsTenant` / `writeAsTenant` send BEGIN, the tenant setting, the statements and COMMIT
 * together: row-level security must apply exactly as in `forTenant`, a failing statement must
 * leave nothing behind, and the connection must be usable afterwards.
 */
describe('Database pipelined tenant reads and writes', () => {
  const db = new Database({ url: process.env.TG_TEST_APP_URL!, poolSize: 2 });
  const owner = new Client({ connectionString: process.env.TG_TEST_OWNER_URL! });
  const a = asTenantId(randomUUID());
  const b = asTenantId(randomUUID());

  beforeAll(async () => {
    await owner.connect();
    for (const [id, name] of [
      [a, 'pipelined-a'],
      [b, 'pipelined-b'],
    ] as const) {
      await owner.query('INSERT INTO tenants (id, name) VALUES ($1, $2)', [id, name]);
    }
  });
  afterAll(async () => {
    await owner.query('DELETE FROM tenants WHERE id = ANY($1::uuid[])', [[a, b]]);
    await owner.end();
    await db.close();
  });

  it('applies row-level security: a query without a tenant filter sees only its tenant', async () => {
    const [rows] = await db.readAsTenant<{ id: string }>(a, [{ text: 'SELECT id FROM tenants', values: [] }]);
    expect(rows).toEqual([{ id: a }]);
    const [other] = await db.readAsTenant<{ id: string }>(b, [{ text: 'SELECT id FROM tenants WHERE id = $1', values: [a] }]);
    expect(other).toEqual([]);
  });

  it('answers each statement in order, in one transaction', async () => {
    const results = await db.readAsTenant<{ v: string }>(a, [
      { text: "SELECT current_setting('app.tenant_id') AS v", values: [] },
      { text: 'SELECT txid_current()::text AS v', values: [] },
      { text: 'SELECT txid_current()::text AS v', values: [] },
    ]);
    expect(results[0]).toEqual([{ v: a }]);
    expect(results[1]![0]!.v).toBe(results[2]![0]!.v);
  });

  it('refuses writes in a read, and rolls a failed write back whole', async () => {
    await expect(db.readAsTenant(a, [{ text: "UPDATE tenants SET name = 'x' WHERE id = $1", values: [a] }])).rejects.toThrow(/read-only/);
    await expect(
      db.writeAsTenant(a, [
        { text: "UPDATE tenants SET name = 'renamed' WHERE id = $1", values: [a] },
        { text: 'SELECT 1 / 0', values: [] },
      ]),
    ).rejects.toThrow(/division by zero/);
    const name = await owner.query('SELECT name FROM tenants WHERE id = $1', [a]);
    expect(name.rows[0].name).toBe('pipelined-a');
  });

  it('keeps working after errors, with the tenant setting not leaking between reads', async () => {
    for (let i = 0; i < 4; i++) {
      await expect(db.readAsTenant(a, [{ text: 'SELECT * FROM no_such_table', values: [] }])).rejects.toThrow();
    }
    const [[seen]] = (await db.readAsTenant<{ v: string }>(b, [{ text: "SELECT current_setting('app.tenant_id') AS v", values: [] }])) as [
      [{ v: string }],
    ];
    expect(seen.v).toBe(b);
    const committed = await db.writeAsTenant(a, [
      { text: "UPDATE tenants SET name = 'pipelined-a2' WHERE id = $1 RETURNING name", values: [a] },
    ]);
    expect(committed[0]).toEqual([{ name: 'pipelined-a2' }]);
    const name = await owner.query('SELECT name FROM tenants WHERE id = $1', [a]);
    expect(name.rows[0].name).toBe('pipelined-a2');
  });
});
