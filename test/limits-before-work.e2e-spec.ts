import { Redis } from 'ioredis';
import { ownKey } from '@trailguard/queues';
import { startTestApp, type TestApp } from './support/test-app';
import { testEnv } from './support/test-env';
import { TenantSession } from './support/tenant-session';

/** Limits come before work: no body is read for a caller who is refused anyway. */
describe('limits before work', () => {
  describe('authentication before the body', () => {
    let t: TestApp;
    let s: TenantSession;

    beforeAll(async () => {
      t = await startTestApp({ MAX_BODY_BYTES: '4096', PLATFORM_AWS_ACCOUNT_ID: '999988887777' });
      s = await TenantSession.create(t);
    });
    afterAll(() => t.close());

    it('an unauthenticated request with a bad or oversized body is a 401, not a body error', async () => {
      for (const body of ['{"name": "x",', JSON.stringify({ name: 'x'.repeat(10_000) }), '['.repeat(50_000)]) {
        const res = await t.http.post('/v1/api-keys').set('Content-Type', 'application/json').send(body);
        expect([res.status, res.body.error.code]).toEqual([401, 'unauthorized']);
      }
      const raw = await t.http
        .post('/v1/aws-accounts/00000000-0000-4000-8000-000000000000/events')
        .set('Content-Type', 'application/gzip')
        .send(Buffer.alloc(8192, 1));
      expect([raw.status, raw.body.error.code]).toEqual([401, 'unauthorized']);
      const yaml = await t.http.post('/v1/rules').set('Content-Type', 'application/yaml').send('x'.repeat(10_000));
      expect([yaml.status, yaml.body.error.code]).toEqual([401, 'unauthorized']);
    });

    it('a key without the role is refused before its body is parsed', async () => {
      const viewer = await s.key('viewer');
      const res = await t.http.post('/v1/api-keys').set(s.auth(viewer.key)).set('Content-Type', 'application/json').send('{"broken');
      expect([res.status, res.body.error.code]).toEqual([403, 'forbidden']);
    });

    it('an authenticated caller still gets the body errors', async () => {
      const res = await t.http.post('/v1/api-keys').set(s.auth()).set('Content-Type', 'application/json').send('{"broken');
      expect([res.status, res.body.error.code]).toEqual([400, 'invalid_json']);
      const big = await t.http
        .post('/v1/api-keys')
        .set(s.auth())
        .send({ name: 'x'.repeat(10_000), role: 'viewer' });
      expect([big.status, big.body.error.code]).toEqual([413, 'payload_too_large']);
    });
  });

  describe('failed authentication is rate limited per client address', () => {
    let t: TestApp;
    let s: TenantSession;

    beforeAll(async () => {
      t = await startTestApp({ AUTH_FAILURES_PER_MINUTE: '5', PLATFORM_AWS_ACCOUNT_ID: '999988887777' });
      s = await TenantSession.create(t);
      // Other suites of this run fail authentication from this address on purpose: start from zero.
      const redis = new Redis(testEnv().redisUrl);
      const keys = await redis.keys(`${ownKey('authfail')}*`.replace('}*', '*'));
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    });
    afterAll(() => t.close());

    it('wrong keys, operator tokens and ingest tokens count together; past the limit the address gets 429', async () => {
      const attempts = [
        () => t.http.get('/v1/api-keys').set('Authorization', 'Bearer tg_wrong'),
        () => t.http.post('/v1/tenants').set('X-Admin-Token', 'wrong').send({ name: 'x' }),
        () => t.http.post('/v1/ingest/eventbridge/00000000-0000-4000-8000-000000000000').set('X-Ingest-Token', 'tgi_wrong').send([]),
      ];
      // The count is per one-minute window: do not start right before one ends.
      if (Date.now() % 60_000 > 55_000) await new Promise((r) => setTimeout(r, 60_000 - (Date.now() % 60_000) + 50));
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        statuses.push((await attempts[i % attempts.length]!()).status);
        // The count lands in Redis asynchronously; the block takes effect on the next attempt.
        await new Promise((r) => setTimeout(r, 20));
      }
      // Suites running beside this one fail from the same address too, so the block may come sooner.
      expect(statuses[0]).toBe(401);
      expect(statuses.filter((x) => x === 401).length).toBeLessThanOrEqual(6);
      expect(statuses.slice(-3)).toEqual([429, 429, 429]);
      // Even the right key is refused from this address until the window ends (no lookup at all).
      const blocked = await t.http.get('/v1/api-keys').set(s.auth());
      expect(blocked.status).toBe(429);
      expect(blocked.body.error.code).toBe('rate_limited');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('the public EventBridge push is rate limited per account', () => {
    let t: TestApp;
    let s: TenantSession;

    beforeAll(async () => {
      t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5', PLATFORM_AWS_ACCOUNT_ID: '999988887777' });
      s = await TenantSession.create(t);
    });
    afterAll(() => t.close());

    it('past the budget an account gets 429; another account is unaffected', async () => {
      const a = (await t.http.post('/v1/aws-accounts').set(s.auth()).send({ name: 'a', polling: false }).expect(201)).body;
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        statuses.push((await t.http.post(`/v1/ingest/eventbridge/${a.id}`).set('X-Ingest-Token', a.ingestToken).send([])).status);
      }
      expect(statuses.filter((x) => x === 202)).toHaveLength(5);
      expect(statuses.slice(-3)).toEqual([429, 429, 429]);
      const other = await t.http
        .post('/v1/ingest/eventbridge/00000000-0000-4000-8000-000000000001')
        .set('X-Ingest-Token', 'tgi_x')
        .send([]);
      expect(other.status).toBe(401);
    });
  });
});
