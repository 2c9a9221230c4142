import { startTestApp, type TestApp } from './support/test-app';

describe('operators: /metrics behind METRICS_TOKEN', () => {
  let t: TestApp;
  const token = 'metrics-token-0123456789abcdef';

  beforeAll(async () => {
    t = await startTestApp({ METRICS_TOKEN: token });
  });
  afterAll(() => t.close());

  it('refuses /metrics without the token or with a wrong one, in the envelope', async () => {
    for (const auth of [undefined, 'Bearer wrong', `Basic ${token}`, `Bearer ${token}x`]) {
      const req = t.http.get('/metrics');
      const res = await (auth ? req.set('Authorization', auth) : req);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.body.error.code).toBe('unauthorized');
    }
  });

  it('serves /metrics with the token', async () => {
    const res = await t.http.get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
    expect(res.text).toContain('process_cpu_seconds_total');
  });

  it('leaves /healthz open', async () => {
    await t.http.get('/healthz').expect(200);
  });
});
