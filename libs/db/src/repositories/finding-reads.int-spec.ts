import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Database } from '../database';
import { asTenantId } from '../tenant-id';
import { FindingReadsRepository } from './finding-reads.repository';

/**
 * The API's findings reads select the view's columns with times formatted by Postgres: they must
 * be the very strings the Prisma rows' Date#toISOString gives, and pages must chain by cursor.
 */
describe('FindingReadsRepository', () => {
  const db = new Database({ url: process.env.TG_TEST_APP_URL!, poolSize: 2 });
  const owner = new Client({ connectionString: process.env.TG_TEST_OWNER_URL! });
  const tenantId = asTenantId(randomUUID());
  const reads = new FindingReadsRepository();
  const times = ['2000-01-01T00:00:00.000Z', '2026-12-06T04:05:06.007Z', '2026-12-06T23:59:59.999Z', '1999-12-31T23:59:59.990Z'];

  beforeAll(async () => {
    await owner.connect();
    await owner.query('INSERT INTO tenants (id, name) VALUES ($1, $2)', [tenantId, 'finding-reads']);
    for (const [i, t] of times.entries()) {
      await owner.query(
        `INSERT INTO findings (id, tenant_id, kind, rule_id, rule_title, severity, status, actor, window_start, tags,
                               event_count, first_seen_at, last_seen_at, created_at, updated_at)
         VALUES (gen_random_uuid(), $1, 'detection', 'r', 'R', 'high', 'open', $2, $3, '{a,b}', 1, $3, $3, $3, $3)`,
        [tenantId, `actor-${i}`, t],
      );
    }
  });
  afterAll(async () => {
    await owner.query('DELETE FROM tenants WHERE id = $1', [tenantId]);
    await owner.end();
    await db.close();
  });

  it('gives every time as Date#toISOString would, newest first', async () => {
    const page = await reads.list(db, tenantId, {}, { limit: 10 });
    const prisma = await db.forTenant(tenantId, (scope) =>
      scope.tx.finding.findMany({ where: { tenantId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
    );
    expect(page.data.map((f) => f.id)).toEqual(prisma.map((f) => f.id));
    for (const [i, f] of page.data.entries()) {
      const p = prisma[i]!;
      expect([f.createdAt, f.updatedAt, f.firstSeenAt, f.lastSeenAt, f.windowStart]).toEqual(
        [p.createdAt, p.updatedAt, p.firstSeenAt, p.lastSeenAt, p.windowStart].map((d) => d.toISOString()),
      );
      expect(f.tags).toEqual(['a', 'b']);
      expect(f).not.toHaveProperty('tenantId');
    }
    expect(page.nextCursor).toBeNull();
  });

  it('chains pages by cursor without gaps or repeats, and filters', async () => {
    const first = await reads.list(db, tenantId, {}, { limit: 3 });
    expect(first.nextCursor).not.toBeNull();
    const second = await reads.list(db, tenantId, {}, { limit: 3, cursor: first.nextCursor! });
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.data, ...second.data].map((f) => f.id)).size).toBe(times.length);
    const one = await reads.list(db, tenantId, { actor: 'actor-1', status: ['open'], severity: ['high'] }, { limit: 10 });
    expect(one.data.map((f) => f.createdAt)).toEqual([times[1]]);
  });

  it('reads one finding with its evidence, and nothing for an unknown or malformed id', async () => {
    const [f] = (await reads.list(db, tenantId, {}, { limit: 1 })).data;
    const found = await reads.getWithEvidence(db, tenantId, f!.id);
    expect(found?.finding).toEqual(f);
    expect(found?.evidence).toEqual([]);
    expect(await reads.getWithEvidence(db, tenantId, randomUUID())).toBeNull();
    expect(await reads.getWithEvidence(db, tenantId, 'not-a-uuid')).toBeNull();
  });
});
