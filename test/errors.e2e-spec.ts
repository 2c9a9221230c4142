import { startTestApp, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';

describe('request validation and the error envelope', () => {
  let t: TestApp;
  let s: TenantSession;

  beforeAll(async () => {
    t = await startTestApp({ MAX_BODY_BYTES: '4096' });
    s = await TenantSession.create(t);
  });
  afterAll(() => t.close());

  it('malformed JSON is a 400 invalid_json', async () => {
    const res = await t.http.post('/v1/api-keys').set(s.auth()).set('Content-Type', 'application/json').send('{"name": "x",').expect(400);
    expect(res.body.error.code).toBe('invalid_json');
  });

  it('unknown fields are refused, naming the field', async () => {
    const res = await t.http.post('/v1/api-keys').set(s.auth()).send({ name: 'k', role: 'viewer', isRoot: true }).expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toContain('isRoot');
  });

  it('invalid values name the path and the problem', async () => {
    const res = await t.http.post('/v1/api-keys').set(s.auth()).send({ name: '', role: 'root' }).expect(400);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.role']));
  });

  it('an oversized body is a 413 in the envelope', async () => {
    const res = await t.http
      .post('/v1/api-keys')
      .set(s.auth())
      .send({ name: 'x'.repeat(10_000), role: 'viewer' })
      .expect(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('a non-JSON content type is a 415', async () => {
    const res = await t.http.post('/v1/api-keys').set(s.auth()).set('Content-Type', 'text/plain').send('name=x').expect(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('deeply nested JSON is refused cleanly', async () => {
    const deep = '['.repeat(3000) + ']'.repeat(3000);
    const res = await t.http.post('/v1/api-keys').set(s.auth()).set('Content-Type', 'application/json').send(deep);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error.code).toBeDefined();
  });

  it('unknown routes answer 404 in the envelope', async () => {
    const res = await t.http.get('/v1/nothing-here').set(s.auth()).expect(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('a malformed id is a 404, like an id that does not exist', async () => {
    const res = await t.http.delete('/v1/api-keys/not-a-uuid').set(s.auth()).expect(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('every response carries a request id', async () => {
    const res = await t.http.get('/healthz').expect(200);
    expect(res.headers['x-request-id']).toMatch(/[\w-]{8,}/);
  });
});

describe('per-tenant rate limit', () => {
  it('answers 429 with Retry-After past the budget, per tenant', async () => {
    const t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const s = await TenantSession.create(t);
      const other = await TenantSession.create(t);
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await t.http.get('/v1/tenant').set(s.auth())).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      const limited = await t.http.get('/v1/tenant').set(s.auth()).expect(429);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      await t.http.get('/v1/tenant').set(other.auth()).expect(200);
    } finally {
      await t.close();
    }
  });
});
