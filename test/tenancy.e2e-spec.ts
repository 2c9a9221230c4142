import { Client } from 'pg';
import { eventually } from './support/fixtures';
import { startTestApp, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';
import { testEnv } from './support/test-env';

describe('tenancy and API keys', () => {
  let t: TestApp;
  let a: TenantSession;
  let b: TenantSession;

  beforeAll(async () => {
    t = await startTestApp();
    a = await TenantSession.create(t);
    b = await TenantSession.create(t);
  });
  afterAll(() => t.close());

  describe('POST /v1/tenants', () => {
    it('refuses a request without the operator token', async () => {
      const res = await t.http.post('/v1/tenants').send({ name: 'x' }).expect(401);
      expect(res.body.error.code).toBe('unauthorized');
    });

    it('refuses a wrong operator token', async () => {
      await t.http.post('/v1/tenants').set('X-Admin-Token', 'wrong-token-wrong-token').send({ name: 'x' }).expect(401);
    });

    it('does not accept an API key in place of the operator token', async () => {
      await t.http.post('/v1/tenants').set(a.auth()).send({ name: 'x' }).expect(401);
    });

    it('creates a tenant whose first key is an admin key shown once', async () => {
      const res = await t.http.post('/v1/tenants').set('X-Admin-Token', t.adminToken).send({ name: 'Acme' }).expect(201);
      expect(res.body.tenant).toMatchObject({ name: 'Acme' });
      expect(res.body.apiKey.role).toBe('admin');
      expect(res.body.apiKey.key).toMatch(/^tg_[\w-]{40}$/);
      const me = await t.http.get('/v1/tenant').set('Authorization', `Bearer ${res.body.apiKey.key}`).expect(200);
      expect(me.body).toMatchObject({ id: res.body.tenant.id, name: 'Acme' });
      const list = await t.http.get('/v1/api-keys').set('Authorization', `Bearer ${res.body.apiKey.key}`).expect(200);
      expect(JSON.stringify(list.body)).not.toContain(res.body.apiKey.key);
      expect(res.body.apiKey.lastUsedAt).toBeNull();
      const used = await eventually(
        async () => (await t.http.get('/v1/api-keys').set('Authorization', `Bearer ${res.body.apiKey.key}`)).body.data[0].lastUsedAt,
        (v) => v !== null,
      );
      expect(Date.parse(used)).toBeGreaterThan(Date.now() - 60_000);
      expect(list.body.data[0]).not.toHaveProperty('secretHash');
    });
  });

  describe('roles', () => {
    it.each(['viewer', 'analyst'] as const)('a %s key cannot create keys', async (role) => {
      const { key } = await a.key(role);
      const res = await t.http.post('/v1/api-keys').set(a.auth(key)).send({ name: 'n', role: 'viewer' }).expect(403);
      expect(res.body.error).toMatchObject({ code: 'forbidden' });
      expect(res.body.error.message).toContain('admin');
    });

    it('a viewer can read its tenant', async () => {
      const { key } = await a.key('viewer');
      await t.http.get('/v1/tenant').set(a.auth(key)).expect(200);
    });

    it('refuses a missing or malformed Authorization header', async () => {
      await t.http.get('/v1/tenant').expect(401);
      await t.http.get('/v1/tenant').set('Authorization', 'Basic abc').expect(401);
      await t.http.get('/v1/tenant').set('Authorization', 'Bearer tg_unknown').expect(401);
    });
  });

  it('a revoked key is refused', async () => {
    const { id, key } = await a.key('analyst');
    await t.http.get('/v1/tenant').set(a.auth(key)).expect(200);
    const res = await t.http.delete(`/v1/api-keys/${id}`).set(a.auth()).expect(200);
    expect(res.body.revokedAt).not.toBeNull();
    const refused = await t.http.get('/v1/tenant').set(a.auth(key)).expect(401);
    expect(refused.body.error.code).toBe('unauthorized');
  });

  it('lists keys with keyset pagination', async () => {
    const s = await TenantSession.create(t);
    for (let i = 0; i < 4; i++) await s.key('viewer');
    const first = await t.http.get('/v1/api-keys?limit=2').set(s.auth()).expect(200);
    expect(first.body.data).toHaveLength(2);
    const second = await t.http.get(`/v1/api-keys?limit=2&cursor=${first.body.nextCursor}`).set(s.auth()).expect(200);
    const third = await t.http.get(`/v1/api-keys?limit=2&cursor=${second.body.nextCursor}`).set(s.auth()).expect(200);
    const ids = [...first.body.data, ...second.body.data, ...third.body.data].map((k: { id: string }) => k.id);
    expect(new Set(ids).size).toBe(5);
    expect(third.body.nextCursor).toBeNull();
    const bad = await t.http.get('/v1/api-keys?cursor=garbage').set(s.auth()).expect(400);
    expect(bad.body.error.code).toBe('invalid_cursor');
  });

  describe('isolation between tenants', () => {
    it("answers 404 for every id-taking route given another tenant's id", async () => {
      const { id } = await a.key('viewer');
      const res = await t.http.delete(`/v1/api-keys/${id}`).set(b.auth()).expect(404);
      expect(res.body.error.code).toBe('not_found');
      // and the key of tenant A is untouched
      const list = await t.http.get('/v1/api-keys?limit=200').set(a.auth()).expect(200);
      expect(list.body.data.find((k: { id: string }) => k.id === id).revokedAt).toBeNull();
    });

    it('row-level security hides other tenants even from raw SQL as the app role', async () => {
      const client = new Client({ connectionString: testEnv().appUrl });
      await client.connect();
      try {
        const count = async (tenant: string | null, target: string) => {
          await client.query('BEGIN');
          if (tenant) await client.query("SELECT set_config('app.tenant_id', $1, true)", [tenant]);
          const r = await client.query('SELECT count(*)::int AS n FROM api_keys WHERE tenant_id = $1', [target]);
          await client.query('COMMIT');
          return r.rows[0].n as number;
        };
        expect(await count(a.tenantId, a.tenantId)).toBeGreaterThan(0);
        expect(await count(b.tenantId, a.tenantId)).toBe(0);
        expect(await count(null, a.tenantId)).toBe(0);
        // writing a row for another tenant is refused by the policy's WITH CHECK
        await client.query('BEGIN');
        await client.query("SELECT set_config('app.tenant_id', $1, true)", [b.tenantId]);
        await expect(
          client.query(
            "INSERT INTO api_keys (id, tenant_id, name, role, prefix, secret_hash) VALUES (gen_random_uuid(), $1, 'x', 'admin', 'p', 'h')",
            [a.tenantId],
          ),
        ).rejects.toThrow(/row-level security/);
        await client.query('ROLLBACK');
      } finally {
        await client.end();
      }
    });

    it('the app role cannot bypass row-level security', async () => {
      const client = new Client({ connectionString: testEnv().appUrl });
      await client.connect();
      try {
        const r = await client.query('SELECT rolbypassrls, rolsuper FROM pg_roles WHERE rolname = current_user');
        expect(r.rows[0]).toEqual({ rolbypassrls: false, rolsuper: false });
        const owned = await client.query(
          "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user",
        );
        expect(owned.rows[0].n).toBe(0);
        const forced = await client.query(
          "SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_prisma_migrations' AND NOT (c.relrowsecurity AND c.relforcerowsecurity)",
        );
        expect(forced.rows[0].n).toBe(0);
      } finally {
        await client.end();
      }
    });
  });
});
