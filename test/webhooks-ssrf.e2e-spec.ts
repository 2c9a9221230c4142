import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { asTenantId, Database, DomainEventsRepository, WebhooksRepository } from '@trailguard/db';
import { startTestApp, startTestWorkers, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';
import { testEnv } from './support/test-env';

/** Production policy: WEBHOOK_ALLOW_PRIVATE_TARGETS=false, so https only and public addresses only. */
const STRICT = { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false', WEBHOOK_RETRY_SCHEDULE: '1,1,1' };

describe('webhook targets are checked against SSRF', () => {
  let t: TestApp;
  let a: TenantSession;

  beforeAll(async () => {
    t = await startTestApp(STRICT);
    a = await TenantSession.create(t);
  });
  afterAll(() => t?.close());

  it.each([
    ['https://127.0.0.1/hook', 'ssrf_blocked', /loopback/],
    ['https://169.254.169.254/latest/meta-data/', 'ssrf_blocked', /linkLocal/],
    ['https://10.0.0.1/hook', 'ssrf_blocked', /private/],
    ['https://[::ffff:127.0.0.1]/hook', 'ssrf_blocked', /ipv4Mapped:loopback/],
    ['https://localhost:8443/hook', 'ssrf_blocked', /loopback/],
    ['https://2130706433/hook', 'ssrf_blocked', /loopback/],
    ['http://127.0.0.1/hook', 'http_not_allowed', /https/],
    ['http://169.254.169.254/latest/meta-data/', 'http_not_allowed', /https/],
    ['http://10.0.0.1/hook', 'http_not_allowed', /https/],
    ['http://[::ffff:127.0.0.1]/hook', 'http_not_allowed', /https/],
    ['http://localhost/hook', 'http_not_allowed', /https/],
    ['gopher://example.com/x', 'invalid_url', /scheme/],
    ['https://user:pw@example.com/x', 'invalid_url', /credentials/],
    ['https://example.com:25/x', 'invalid_url', /port 25/],
    ['not a url', 'invalid_url', /absolute URL/],
  ])('refuses %s with %s', async (url, code, reason) => {
    const res = await t.http.post('/v1/webhooks').set(a.auth()).send({ url }).expect(400);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(/^webhook URL refused: /);
    expect(res.body.error.message).toMatch(reason);
  });

  it('names the blocked address and range in the error details', async () => {
    const res = await t.http.post('/v1/webhooks').set(a.auth()).send({ url: 'https://169.254.169.254/' }).expect(400);
    expect(res.body.error.details).toMatchObject({ address: '169.254.169.254', range: 'linkLocal' });
  });

  it('checks a new URL on PATCH too, and keeps the old one when refused', async () => {
    const created = await t.http.post('/v1/webhooks').set(a.auth()).send({ url: 'https://hooks.example.com/trailguard' }).expect(201);
    const res = await t.http
      .patch(`/v1/webhooks/${created.body.id}`)
      .set(a.auth())
      .send({ url: 'https://[::ffff:a9fe:a9fe]/' })
      .expect(400);
    expect(res.body.error.code).toBe('ssrf_blocked');
    const still = await t.http.get(`/v1/webhooks/${created.body.id}`).set(a.auth()).expect(200);
    expect(still.body.url).toBe('https://hooks.example.com/trailguard');
  });

  describe('at send time', () => {
    let workers: INestApplicationContext;
    let db: Database;
    let server: Server;
    let hits = 0;

    beforeAll(async () => {
      workers = await startTestWorkers(STRICT);
      db = new Database({ url: testEnv().appUrl, poolSize: 2 });
      // Certificate problems would not matter: the agent must refuse before any TLS handshake.
      server = createHttpsServer((_req, res) => {
        hits++;
        res.end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await workers?.close();
      await db?.close();
      server?.close();
    });

    it('the worker refuses to connect to a private address even if the stored URL slipped past the API check', async () => {
      const { port } = server.address() as AddressInfo;
      const tenantId = asTenantId(a.tenantId);
      const repo = new WebhooksRepository();
      // As if DNS had pointed the name at a public address when the endpoint was created.
      const endpointId = await db.forTenant(tenantId, async (scope) => {
        const e = await repo.createEndpoint(scope, { url: `https://127.0.0.1:${port}/hook`, eventTypes: [], minSeverity: 'informational' });
        const { SecretBox, generateWebhookSecret } = await import('@trailguard/webhooks');
        const box = new SecretBox({ current: { id: 'main', key: testEnv().secretsKey } });
        await repo.addSecret(scope, e.id, box.encrypt(generateWebhookSecret(), e.id));
        return e.id;
      });
      const eventId = await db.forTenant(tenantId, (scope) =>
        new DomainEventsRepository().record(scope, 'posture.changed', { accountId: '123456789012' }),
      );
      const deadline = Date.now() + 15_000;
      let attempts: Array<{ error: string | null; statusCode: number | null }> = [];
      while (Date.now() < deadline) {
        const res = await t.http.get(`/v1/webhooks/${endpointId}/deliveries`).set(a.auth()).expect(200);
        const d = res.body.data.find((x: { messageId: string }) => x.messageId === `msg_${eventId}`);
        attempts = d?.attempts ?? [];
        if (attempts.length >= 2) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(attempts.length).toBeGreaterThanOrEqual(2); // refused, and retried (DNS may change)
      expect(attempts[0]).toMatchObject({ statusCode: null, error: expect.stringMatching(/^ssrf_blocked: .*loopback/) });
      expect(hits).toBe(0);
      // Leaves no retries behind for later suites' workers.
      await t.http.delete(`/v1/webhooks/${endpointId}`).set(a.auth()).expect(204);
    });
  });
});
