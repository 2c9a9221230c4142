import { detectShards } from '@trailguard/config';
import { startTestApp, type TestApp } from './support/test-app';
import { testConfig } from './support/test-env';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

describe('operations endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('/healthz and /readyz answer', async () => {
    await t.http.get('/healthz').expect(200, { status: 'ok' });
    const ready = await t.http.get('/readyz').expect(200);
    expect(ready.body.checks.postgres.ok).toBe(true);
    expect(ready.body.checks.redis.ok).toBe(true);
    expect(ready.body.checks.queues.ok).toBe(true);
    expect(Object.keys(ready.body.checks.queues.depths).sort()).toEqual(['detect', 'ingest', 'webhooks']);
    expect(ready.body.checks.queues.depths.detect).toEqual(
      expect.objectContaining({ waiting: expect.any(Number), failed: expect.any(Number) }),
    );
  });

  it('/metrics is Prometheus text with our metrics', async () => {
    await t.http.get('/healthz');
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('trailguard_http_request_duration_seconds');
    expect(res.text).toContain('process_cpu_seconds_total');
  });

  it('/docs-json is OpenAPI 3 and lists every route the server has', async () => {
    const res = await t.http.get('/docs-json').expect(200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    const router = (t.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } }).router;
    const routes = router.stack
      // Nest's own catch-all (404 handler) is not an API route.
      .filter((l) => l.route && !l.route.path.startsWith('/docs') && !l.route.path.includes('{*'))
      // Route-scoped middleware shows up as the same path with a trailing slash.
      .flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m} ${l.route!.path.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1')}`));
    expect(routes.length).toBeGreaterThan(5);
    const missing = routes.filter((route) => {
      const [method, path] = route.split(' ') as [string, string];
      return doc.paths[path]?.[method] === undefined;
    });
    expect(missing).toEqual([]);
    const html = await t.http.get('/docs').expect(200);
    expect(html.text).toContain('swagger');
  });

  it('serves the queue dashboard to operators only: X-Admin-Token, or the token as the Basic password', async () => {
    const refused = await t.http.get('/queues').expect(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Basic realm="Trailguard operators"/);
    expect(refused.body.error.code).toBe('unauthorized');
    const basic = (password: string) => `Basic ${Buffer.from(`operator:${password}`).toString('base64')}`;
    await t.http.get('/queues/api/queues').set('Authorization', basic('wrong')).expect(401);
    const tenant = await t.http.post('/v1/tenants').set('X-Admin-Token', t.adminToken).send({ name: 'dashboard' }).expect(201);
    await t.http.get('/queues').set('Authorization', `Bearer ${tenant.body.apiKey.key}`).expect(401);

    const page = await t.http.get('/queues').set('X-Admin-Token', t.adminToken).expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    const api = await t.http.get('/queues/api/queues').set('Authorization', basic(t.adminToken)).expect(200);
    // Every queue, each detection shard its own (one per DETECT_QUEUE_SHARDS).
    const shards = detectShards(testConfig());
    const expected = [...Array.from({ length: shards }, (_, i) => `detect-${i}`), 'ingest', 'webhooks'];
    expect((api.body.queues as Array<{ name: string }>).map((q) => q.name).sort()).toEqual(expected.sort());
  });
});
