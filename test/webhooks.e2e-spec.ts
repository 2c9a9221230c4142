import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { asTenantId, Database, DomainEventsRepository, WebhooksRepository, type DomainEventType } from '@trailguard/db';
import { deliverJobId, JobQueue } from '@trailguard/queues';
import { startTestApp, startTestWorkers, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';
import { testEnv, testJobQueue } from './support/test-env';

/** Retries 1 s apart: a whole schedule (4 attempts) takes about 3 s. The sweep looks every second. */
const OVERRIDES = { WEBHOOK_RETRY_SCHEDULE: '1,1,1', WEBHOOK_SWEEP_SECONDS: '1' };

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

type Reply = { status: number; body?: string; headers?: Record<string, string> };

/** A real HTTP receiver on 127.0.0.1 whose answer to the n-th request (0-based) is scripted. */
class Receiver {
  readonly received: Received[] = [];
  reply: (n: number) => Reply = () => ({ status: 200, body: 'ok' });

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Receiver> {
    const ref: { current?: Receiver } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = ref.current!;
        const n = r.received.length;
        r.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const reply = r.reply(n);
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        res.end(reply.body ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    ref.current = new Receiver(server, `http://127.0.0.1:${port}/hook`);
    return ref.current;
  }

  headersOf(i: number): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
    const h = this.received[i]!.headers;
    return {
      'webhook-id': String(h['webhook-id']),
      'webhook-timestamp': String(h['webhook-timestamp']),
      'webhook-signature': String(h['webhook-signature']),
    };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('webhooks end to end (API, relay, fan-out, delivery)', () => {
  let t: TestApp;
  let workers: INestApplicationContext;
  let db: Database;
  let a: TenantSession;
  let rx: Receiver;
  const receivers: Receiver[] = [];

  const startReceiver = async () => {
    const r = await Receiver.start();
    receivers.push(r);
    return r;
  };
  const startWorkerCtx = () => startTestWorkers(OVERRIDES);

  async function createEndpoint(url: string, extra: Record<string, unknown> = {}, session = a) {
    const res = await t.http
      .post('/v1/webhooks')
      .set(session.auth())
      .send({ url, ...extra })
      .expect(201);
    return res.body as { id: string; secret: string };
  }

  async function recordEvent(type: DomainEventType, data: Record<string, string | number>, tenantId = a.tenantId): Promise<string> {
    return db.forTenant(asTenantId(tenantId), (scope) => new DomainEventsRepository().record(scope, type, data));
  }

  async function deliveries(endpointId: string): Promise<Array<Record<string, any>>> {
    const res = await t.http.get(`/v1/webhooks/${endpointId}/deliveries`).set(a.auth()).expect(200);
    return res.body.data;
  }

  async function deliveryWhen(endpointId: string, messageId: string, done: (d: Record<string, any>) => boolean, timeoutMs?: number) {
    return eventually(
      async () => {
        const d = (await deliveries(endpointId)).find((x) => x.messageId === messageId);
        return d && done(d) ? d : undefined;
      },
      `delivery ${messageId}`,
      timeoutMs,
    );
  }

  const finding = (severity: string) => ({
    id: randomUUID(),
    ruleId: 'aws_cloudtrail_disable_logging',
    severity,
    title: 'CloudTrail logging stopped',
  });

  beforeAll(async () => {
    t = await startTestApp(OVERRIDES);
    workers = await startWorkerCtx();
    db = new Database({ url: testEnv().appUrl, poolSize: 2 });
    a = await TenantSession.create(t);
    rx = await startReceiver();
  });

  afterAll(async () => {
    await workers?.close();
    await t?.close();
    await db?.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  it('creates an endpoint whose whsec_ secret is shown once, never in reads', async () => {
    const { id, secret } = await createEndpoint(rx.url, { description: 'pager', eventTypes: ['finding.created'], minSeverity: 'medium' });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const one = await t.http.get(`/v1/webhooks/${id}`).set(a.auth()).expect(200);
    expect(one.body).toMatchObject({
      id,
      url: rx.url,
      description: 'pager',
      eventTypes: ['finding.created'],
      minSeverity: 'medium',
      enabled: true,
    });
    expect(one.body.secrets).toHaveLength(1);
    const list = await t.http.get('/v1/webhooks').set(a.auth()).expect(200);
    expect(list.body.data.map((e: { id: string }) => e.id)).toContain(id);
    for (const text of [JSON.stringify(one.body), JSON.stringify(list.body)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('ciphertext');
    }
    const viewer = await a.key('viewer');
    // Below admin the URL is masked (a receiver URL is often the credential); admins see it whole.
    const masked = await t.http.get(`/v1/webhooks/${id}`).set(a.auth(viewer.key)).expect(200);
    const { origin, pathname } = new URL(rx.url);
    expect(masked.body.url).toBe(`${origin}/${pathname === '/' ? '' : '****'}`);
    const maskedList = await t.http.get('/v1/webhooks').set(a.auth(viewer.key)).expect(200);
    expect(JSON.stringify(maskedList.body)).not.toContain(rx.url);
    const refused = await t.http.post('/v1/webhooks').set(a.auth(viewer.key)).send({ url: rx.url }).expect(403);
    expect(refused.body.error.code).toBe('forbidden');
    await t.http.delete(`/v1/webhooks/${id}`).set(a.auth()).expect(204);
    await t.http.get(`/v1/webhooks/${id}`).set(a.auth()).expect(404);
  });

  it('refuses bodies that are not valid (unknown event type, severity, field)', async () => {
    for (const body of [
      { url: rx.url, eventTypes: ['finding.deleted'] },
      { url: rx.url, minSeverity: 'urgent' },
      { url: rx.url, secret: 'x' },
    ]) {
      const res = await t.http.post('/v1/webhooks').set(a.auth()).send(body).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const res = await t.http.post('/v1/webhooks').set(a.auth()).send({ url: 'ftp://example.com/x' }).expect(400);
    expect(res.body.error.code).toBe('invalid_url');
  });

  it('delivers an outbox event signed so the standardwebhooks verifier accepts it', async () => {
    const r = await startReceiver();
    const { id, secret } = await createEndpoint(r.url);
    const data = finding('high');
    const eventId = await recordEvent('finding.created', data);
    const d = await deliveryWhen(id, `msg_${eventId}`, (x) => x.status === 'succeeded');
    expect(d.attempts).toEqual([expect.objectContaining({ attempt: 1, statusCode: 200, responseSnippet: 'ok', error: null })]);
    expect(d.attempts[0].latencyMs).toEqual(expect.any(Number));
    expect(r.received).toHaveLength(1);
    const got = new Webhook(secret).verify(r.received[0]!.body, r.headersOf(0)) as { type: string; data: unknown; timestamp: string };
    expect(got).toMatchObject({ type: 'finding.created', data });
    expect(r.headersOf(0)['webhook-id']).toBe(`msg_${eventId}`);
    expect(r.received[0]!.headers['content-type']).toBe('application/json');
    expect(d.payload).toEqual(got);
    expect(() => new Webhook(secret).verify(r.received[0]!.body.replace('high', 'low'), r.headersOf(0))).toThrow();
  });

  it('retries a failing receiver with the same webhook-id and body until it succeeds on the 3rd attempt', async () => {
    const r = await startReceiver();
    r.reply = (n) => (n < 2 ? { status: 500, body: `boom ${n}` } : { status: 204 });
    const { id, secret } = await createEndpoint(r.url);
    const eventId = await recordEvent('finding.created', finding('critical'));
    const d = await deliveryWhen(id, `msg_${eventId}`, (x) => x.status === 'succeeded');
    expect(d.attemptCount).toBe(3);
    expect(d.attempts.map((x: { attempt: number; statusCode: number }) => [x.attempt, x.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 204],
    ]);
    expect(d.attempts[0].responseSnippet).toBe('boom 0');
    expect(d.attempts[0].error).toMatch(/http_error/);
    expect(d.nextAttemptAt).toBeNull();
    expect(r.received).toHaveLength(3);
    const ids = new Set(r.received.map((_, i) => r.headersOf(i)['webhook-id']));
    expect([...ids]).toEqual([`msg_${eventId}`]);
    expect(new Set(r.received.map((x) => x.body)).size).toBe(1);
    r.received.forEach((_, i) => expect(() => new Webhook(secret).verify(r.received[i]!.body, r.headersOf(i))).not.toThrow());
    const endpoint = await t.http.get(`/v1/webhooks/${id}`).set(a.auth()).expect(200);
    expect(endpoint.body.failingSince).toBeNull();
  });

  it('ends failed when the receiver is down for the whole schedule, and redelivery succeeds once it is up', async () => {
    const r = await startReceiver();
    r.reply = () => ({ status: 503, body: 'down' });
    const { id, secret } = await createEndpoint(r.url);
    const eventId = await recordEvent('finding.created', finding('medium'));
    const failed = await deliveryWhen(id, `msg_${eventId}`, (x) => x.status === 'failed');
    expect(failed.attemptCount).toBe(4); // the first attempt and the three retries of "1,1,1"
    expect(failed.attempts.every((x: { statusCode: number }) => x.statusCode === 503)).toBe(true);
    expect(failed.nextAttemptAt).toBeNull();
    const failing = await t.http.get(`/v1/webhooks/${id}`).set(a.auth()).expect(200);
    expect(failing.body.failingSince).not.toBeNull();
    expect(failing.body.enabled).toBe(true);

    r.reply = () => ({ status: 200 });
    const res = await t.http.post(`/v1/webhooks/${id}/deliveries/${failed.id}/redeliver`).set(a.auth()).expect(202);
    expect(res.body.status).toBe('pending');
    const again = await t.http.post(`/v1/webhooks/${id}/deliveries/${failed.id}/redeliver`).set(a.auth());
    // Either still in progress (409) or already done and redelivered once more (202): never a 5xx.
    expect([202, 409]).toContain(again.status);
    const ok = await deliveryWhen(id, `msg_${eventId}`, (x) => x.status === 'succeeded');
    expect(ok.attempts.at(-1)).toMatchObject({ statusCode: 200 });
    const last = r.received.length - 1;
    expect(r.headersOf(last)['webhook-id']).toBe(`msg_${eventId}`);
    expect(r.received[last]!.body).toBe(r.received[0]!.body);
    expect(() => new Webhook(secret).verify(r.received[last]!.body, r.headersOf(last))).not.toThrow();
    const recovered = await t.http.get(`/v1/webhooks/${id}`).set(a.auth()).expect(200);
    expect(recovered.body.failingSince).toBeNull();
  });

  it('a 410 Gone disables the endpoint with a reason; enabling clears it', async () => {
    const r = await startReceiver();
    r.reply = () => ({ status: 410, body: 'gone' });
    const { id } = await createEndpoint(r.url);
    const eventId = await recordEvent('finding.created', finding('high'));
    const d = await deliveryWhen(id, `msg_${eventId}`, (x) => x.status === 'failed');
    expect(d.attemptCount).toBe(1);
    const disabled = await t.http.get(`/v1/webhooks/${id}`).set(a.auth()).expect(200);
    expect(disabled.body).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('410') });
    const redeliver = await t.http.post(`/v1/webhooks/${id}/deliveries/${d.id}/redeliver`).set(a.auth()).expect(409);
    expect(redeliver.body.error.code).toBe('endpoint_disabled');

    const enabled = await t.http.patch(`/v1/webhooks/${id}`).set(a.auth()).send({ enabled: true }).expect(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
  });

  it('auto-disables an endpoint that keeps failing after days without a success, with an audit record', async () => {
    const r = await startReceiver();
    r.reply = () => ({ status: 500 });
    const { id } = await createEndpoint(r.url);
    const sixDaysAgo = new Date(Date.now() - 6 * 24 * 3600 * 1000);
    await db.forTenant(asTenantId(a.tenantId), (scope) =>
      scope.tx.webhookEndpoint.update({ where: { tenantId_id: { tenantId: a.tenantId, id } }, data: { failingSince: sixDaysAgo } }),
    );
    const eventId = await recordEvent('finding.created', finding('high'));
    const d = await deliveryWhen(id, `msg_${eventId}`, (x) => x.status === 'failed');
    expect(d.attemptCount).toBe(1); // no retries once the endpoint is disabled
    const endpoint = await t.http.get(`/v1/webhooks/${id}`).set(a.auth()).expect(200);
    expect(endpoint.body).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('auto-disabled') });
    const audit = await db.forTenant(asTenantId(a.tenantId), (scope) =>
      scope.tx.auditLogEntry.findMany({ where: { targetId: id, action: 'endpoint.disabled' } }),
    );
    expect(audit).toEqual([expect.objectContaining({ actor: 'system', targetType: 'webhook_endpoint' })]);
    // Fan-out skips a disabled endpoint: a later event creates no delivery for it.
    const other = await createEndpoint(rx.url);
    const later = await recordEvent('finding.created', finding('critical'));
    await deliveryWhen(other.id, `msg_${later}`, () => true);
    expect((await deliveries(id)).map((x) => x.messageId)).toEqual([`msg_${eventId}`]);
  });

  it('signs with the new and the old secret during a rotation grace period, and only the new one after it', async () => {
    const r = await startReceiver();
    const { id, secret: oldSecret } = await createEndpoint(r.url);
    const rotated = await t.http.post(`/v1/webhooks/${id}/rotate-secret`).set(a.auth()).send({}).expect(200);
    const newSecret = rotated.body.secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(rotated.body.secrets).toHaveLength(2);
    const graceEnd = new Date(rotated.body.previousSecretsExpireAt).getTime();
    expect(graceEnd - Date.now()).toBeGreaterThan(23 * 3600 * 1000);

    const e1 = await recordEvent('finding.created', finding('high'));
    await deliveryWhen(id, `msg_${e1}`, (x) => x.status === 'succeeded');
    expect(r.headersOf(0)['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(r.received[0]!.body, r.headersOf(0))).not.toThrow();
    expect(() => new Webhook(newSecret).verify(r.received[0]!.body, r.headersOf(0))).not.toThrow();

    const ended = await t.http.post(`/v1/webhooks/${id}/rotate-secret`).set(a.auth()).send({ graceSeconds: 0 }).expect(200);
    const latest = ended.body.secret as string;
    const e2 = await recordEvent('finding.created', finding('high'));
    await deliveryWhen(id, `msg_${e2}`, (x) => x.status === 'succeeded');
    const i = r.received.length - 1;
    expect(r.headersOf(i)['webhook-signature'].split(' ')).toHaveLength(1);
    expect(() => new Webhook(latest).verify(r.received[i]!.body, r.headersOf(i))).not.toThrow();
    expect(() => new Webhook(newSecret).verify(r.received[i]!.body, r.headersOf(i))).toThrow();
    expect(() => new Webhook(oldSecret).verify(r.received[i]!.body, r.headersOf(i))).toThrow();
  });

  it('sends a Slack Block Kit message to an endpoint whose payload format is slack, signed all the same', async () => {
    const r = await startReceiver();
    const { id, secret } = await createEndpoint(r.url, { payloadFormat: 'slack' });
    expect((await t.http.get(`/v1/webhooks/${id}`).set(a.auth()).expect(200)).body.payloadFormat).toBe('slack');
    const data = {
      ...finding('high'),
      ruleTitle: 'AWS CloudTrail UpdateTrail with multi-region disabled',
      actor: 'arn:aws:iam::111122223333:user/mallory',
      eventCount: 1,
    };
    const eventId = await recordEvent('finding.created', data);
    await deliveryWhen(id, `msg_${eventId}`, (x) => x.status === 'succeeded');
    const body = r.received[0]!.body;
    expect(() => new Webhook(secret).verify(body, r.headersOf(0))).not.toThrow();
    const message = JSON.parse(body) as { text: string; blocks: unknown[] };
    expect(message.text).toBe('New finding [HIGH]: AWS CloudTrail UpdateTrail with multi-region disabled');
    expect(JSON.stringify(message.blocks)).toContain('arn:aws:iam::111122223333:user/mallory');

    const test = await t.http.post(`/v1/webhooks/${id}/test`).set(a.auth()).expect(200);
    expect(test.body).toMatchObject({ ok: true, delivery: { status: 'succeeded' } });
    expect(JSON.parse(r.received[1]!.body)).toEqual({ text: 'Test message from Trailguard' });
    const patched = await t.http.patch(`/v1/webhooks/${id}`).set(a.auth()).send({ payloadFormat: 'standard' }).expect(200);
    expect(patched.body.payloadFormat).toBe('standard');
    const bad = await t.http.patch(`/v1/webhooks/${id}`).set(a.auth()).send({ payloadFormat: 'discord' }).expect(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });

  it('applies event-type and minimum-severity filters', async () => {
    const picky = await startReceiver();
    const all = await startReceiver();
    const p = await createEndpoint(picky.url, { eventTypes: ['finding.created'], minSeverity: 'high' });
    const e = await createEndpoint(all.url);
    const low = await recordEvent('finding.created', finding('low'));
    const critical = await recordEvent('finding.created', finding('critical'));
    const updatedHigh = await recordEvent('finding.updated', finding('high'));
    const posture = await recordEvent('posture.changed', { accountId: '123456789012', multiRegionTrailLogging: 'false' });
    for (const ev of [low, critical, updatedHigh, posture]) await deliveryWhen(e.id, `msg_${ev}`, (x) => x.status === 'succeeded');
    const pickyDeliveries = await deliveries(p.id);
    expect(pickyDeliveries.map((x) => x.messageId)).toEqual([`msg_${critical}`]);
    expect(picky.received).toHaveLength(1);
    expect(JSON.parse(picky.received[0]!.body)).toMatchObject({ type: 'finding.created', data: { severity: 'critical' } });
    expect(all.received.map((x) => JSON.parse(x.body).type).sort()).toEqual([
      'finding.created',
      'finding.created',
      'finding.updated',
      'posture.changed',
    ]);
  });

  it('answers 404 to another tenant on every id route', async () => {
    const { id } = await createEndpoint(rx.url);
    const eventId = await recordEvent('finding.created', finding('high'));
    const d = await deliveryWhen(id, `msg_${eventId}`, (x) => x.status === 'succeeded');
    const b = await TenantSession.create(t);
    const calls = [
      t.http.get(`/v1/webhooks/${id}`),
      t.http.patch(`/v1/webhooks/${id}`).send({ description: 'mine now' }),
      t.http.delete(`/v1/webhooks/${id}`),
      t.http.post(`/v1/webhooks/${id}/test`),
      t.http.post(`/v1/webhooks/${id}/rotate-secret`).send({}),
      t.http.get(`/v1/webhooks/${id}/deliveries`),
      t.http.post(`/v1/webhooks/${id}/deliveries/${d.id}/redeliver`),
    ];
    for (const call of calls) {
      const res = await call.set(b.auth());
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    // The same delivery id under one of b's own endpoints is not b's either.
    const own = await createEndpoint(rx.url, {}, b);
    await t.http.post(`/v1/webhooks/${own.id}/deliveries/${d.id}/redeliver`).set(b.auth()).expect(404);
    await t.http.get('/v1/webhooks/not-a-uuid').set(a.auth()).expect(404);
    const still = await t.http.get(`/v1/webhooks/${id}`).set(a.auth()).expect(200);
    expect(still.body.description).toBeNull();
    expect((await t.http.get('/v1/webhooks').set(b.auth()).expect(200)).body.data.map((x: { id: string }) => x.id)).toEqual([own.id]);
  });

  it('sends a signed webhook.test message on demand and logs it as a delivery', async () => {
    const r = await startReceiver();
    const { id, secret } = await createEndpoint(r.url);
    const res = await t.http.post(`/v1/webhooks/${id}/test`).set(a.auth()).expect(200);
    expect(res.body).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(res.body.delivery).toMatchObject({ eventType: 'webhook.test', status: 'succeeded', attemptCount: 1 });
    const got = new Webhook(secret).verify(r.received[0]!.body, r.headersOf(0)) as { type: string; data: { endpointId: string } };
    expect(got).toMatchObject({ type: 'webhook.test', data: { endpointId: id } });
    expect((await deliveries(id)).map((x) => x.eventType)).toEqual(['webhook.test']);

    r.reply = () => ({ status: 500, body: 'nope' });
    const failed = await t.http.post(`/v1/webhooks/${id}/test`).set(a.auth()).expect(200);
    expect(failed.body).toMatchObject({ ok: false, statusCode: 500, error: expect.stringContaining('http_error') });
    expect(failed.body.delivery.attempts[0]).toMatchObject({ statusCode: 500, responseSnippet: 'nope' });
  });

  it('pages the delivery log with a keyset cursor', async () => {
    const r = await startReceiver();
    const { id } = await createEndpoint(r.url);
    for (let i = 0; i < 3; i++) await t.http.post(`/v1/webhooks/${id}/test`).set(a.auth()).expect(200);
    const first = await t.http.get(`/v1/webhooks/${id}/deliveries?limit=2`).set(a.auth()).expect(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await t.http.get(`/v1/webhooks/${id}/deliveries?limit=2&cursor=${first.body.nextCursor}`).set(a.auth()).expect(200);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const ids = [...first.body.data, ...second.body.data].map((x: { id: string }) => x.id);
    expect(new Set(ids).size).toBe(3);
    const bad = await t.http.get(`/v1/webhooks/${id}/deliveries?cursor=garbage`).set(a.auth()).expect(400);
    expect(bad.body.error.code).toBe('invalid_cursor');
  });

  it('still delivers when the worker is closed and restarted in the middle of the schedule', async () => {
    const r = await startReceiver();
    r.reply = (n) => (n < 2 ? { status: 502 } : { status: 200 });
    const { id } = await createEndpoint(r.url);
    const eventId = await recordEvent('finding.created', finding('high'));
    await deliveryWhen(id, `msg_${eventId}`, (x) => x.attemptCount >= 1);
    await workers.close();
    const pausedAt = r.received.length;
    await new Promise((res) => setTimeout(res, 1500)); // the retry falls due while no worker runs
    expect(r.received.length).toBe(pausedAt);
    workers = await startWorkerCtx();
    const d = await deliveryWhen(id, `msg_${eventId}`, (x) => x.status === 'succeeded');
    expect(d.attempts.map((x: { attempt: number }) => x.attempt)).toEqual([1, 2, 3]);
    expect(new Set(r.received.map((_, i) => r.headersOf(i)['webhook-id']))).toEqual(new Set([`msg_${eventId}`]));
  });

  describe('a deliver job that runs again (its worker died after the attempt)', () => {
    let queue: JobQueue;
    beforeAll(() => {
      queue = testJobQueue();
    });
    afterAll(() => queue.close());

    async function runJob(tenantId: string, deliveryId: string, attempt: number): Promise<void> {
      const jobId = `deliver:${deliveryId}:${attempt}-r${Date.now()}`;
      await queue.add('webhooks.deliver', { tenantId, deliveryId, seriesStart: 1 }, { jobId });
      await eventually(
        async () => ((await (await queue.queue('webhooks').getJob(jobId))?.getState()) === 'completed' ? true : undefined),
        `job ${jobId}`,
      );
    }

    it('sends nothing and records no second attempt when the attempt already completed', async () => {
      const r = await startReceiver();
      const { id } = await createEndpoint(r.url);
      const eventId = await recordEvent('finding.created', finding('high'));
      const d = await deliveryWhen(id, `msg_${eventId}`, (x) => x.status === 'succeeded');
      await runJob(a.tenantId, d.id, 1);
      const after = await deliveryWhen(id, `msg_${eventId}`, () => true);
      expect(after.attempts).toHaveLength(1);
      expect(r.received).toHaveLength(1);
    });

    it('schedules the next attempt when the runner died between recording one and scheduling the next', async () => {
      const r = await startReceiver();
      r.reply = () => ({ status: 500 });
      const { id } = await createEndpoint(r.url);
      const eventId = await recordEvent('finding.created', finding('high'));
      const d = await deliveryWhen(id, `msg_${eventId}`, (x) => x.status === 'failed');
      r.reply = () => ({ status: 200 });
      // The state a crash leaves: attempt 4 recorded with a retry decided, its job never queued.
      await db.forTenant(asTenantId(a.tenantId), (scope) =>
        scope.tx.webhookDelivery.update({
          where: { tenantId_id: { tenantId: a.tenantId, id: d.id } },
          data: { status: 'pending', nextAttemptAt: new Date() },
        }),
      );
      await runJob(a.tenantId, d.id, 4);
      const ok = await deliveryWhen(id, `msg_${eventId}`, (x) => x.status === 'succeeded');
      expect(ok.attempts.map((x: { attempt: number; statusCode: number }) => [x.attempt, x.statusCode])).toEqual([
        [1, 500],
        [2, 500],
        [3, 500],
        [4, 500],
        [5, 200],
      ]);
    });
  });

  describe('the sweep (the database, not Redis, records what is still to deliver)', () => {
    let queue: JobQueue;
    beforeAll(() => {
      queue = testJobQueue();
    });
    afterAll(() => queue.close());

    /** A pending delivery row with no job: what a Redis that lost its data leaves behind. */
    async function deliveryWithoutJob(endpointId: string) {
      const messageId = `msg_${randomUUID()}`;
      const body = JSON.stringify({ type: 'finding.created', timestamp: new Date().toISOString(), data: finding('high') });
      const [d] = await db.forTenant(asTenantId(a.tenantId), (scope) =>
        new WebhooksRepository().createDeliveries(scope, [{ endpointId, messageId, eventType: 'finding.created', body }]),
      );
      return { id: d!.id, messageId };
    }

    /**
     * One sweep run, once what is pending is overdue by WEBHOOK_SWEEP_SECONDS (1 s here). Run on
     * demand: the repeat schedule is shared by every suite of the run, so its timing is not ours.
     */
    async function sweep(): Promise<void> {
      await new Promise((res) => setTimeout(res, 1100));
      const jobId = `sweep-${randomUUID()}`;
      await queue.add('webhooks.sweep', {}, { jobId, removeOnComplete: false });
      await eventually(
        async () => ((await queue.queue('webhooks').getJobState(jobId)) === 'completed' ? true : undefined),
        `sweep ${jobId}`,
      );
    }

    it('gives a pending delivery whose job was lost a job again, and it is sent once', async () => {
      const r = await startReceiver();
      const { id, secret } = await createEndpoint(r.url);
      const { messageId } = await deliveryWithoutJob(id);
      await Promise.all([sweep(), sweep()]); // overlapping sweeps queue the attempt once
      const d = await deliveryWhen(id, messageId, (x) => x.status === 'succeeded');
      expect(d.attempts.map((x: { attempt: number; statusCode: number }) => [x.attempt, x.statusCode])).toEqual([[1, 200]]);
      await sweep(); // finds nothing left to do
      expect(r.received).toHaveLength(1);
      expect(() => new Webhook(secret).verify(r.received[0]!.body, r.headersOf(0))).not.toThrow();
      expect(r.headersOf(0)['webhook-id']).toBe(messageId);
    });

    it('retries afresh a delivery whose job failed all its retries, once the fault is gone', async () => {
      const r = await startReceiver();
      const { id } = await createEndpoint(r.url);
      const tenantId = asTenantId(a.tenantId);
      const secrets = (scope: Parameters<Parameters<Database['forTenant']>[1]>[0]) =>
        scope.tx.webhookSecret.findFirstOrThrow({ where: { tenantId, endpointId: id } });
      const original = await db.forTenant(tenantId, secrets);
      const setCiphertext = (ciphertext: string) =>
        db.forTenant(tenantId, (scope) => scope.tx.webhookSecret.update({ where: { id: original.id }, data: { ciphertext } }));
      // A fault no retry cures while it lasts: the secret cannot be decrypted.
      await setCiphertext(`${original.ciphertext.slice(0, -4)}AAAA`);
      const { id: deliveryId, messageId } = await deliveryWithoutJob(id);
      const jobId = deliverJobId(deliveryId, 1);
      await queue.add('webhooks.deliver', { tenantId, deliveryId }, { jobId, attempts: 1 });
      await eventually(
        async () => ((await queue.queue('webhooks').getJobState(jobId)) === 'failed' ? true : undefined),
        `job ${jobId} failed`,
      );
      expect((await deliveries(id)).find((x) => x.messageId === messageId)).toMatchObject({ status: 'pending', attemptCount: 0 });

      await setCiphertext(original.ciphertext);
      await sweep();
      const d = await deliveryWhen(id, messageId, (x) => x.status === 'succeeded');
      expect(d.attempts.map((x: { attempt: number; statusCode: number }) => [x.attempt, x.statusCode])).toEqual([[1, 200]]);
      expect(r.received).toHaveLength(1);
      expect(await queue.queue('webhooks').getJobState(jobId)).toBe('completed');
    });
  });

  it('exposes delivery metrics and the webhooks queue depth', async () => {
    const res = await t.http.get('/metrics').expect(200);
    expect(res.text).toMatch(/trailguard_webhook_deliveries_total\{outcome="succeeded"\} [1-9]/);
    expect(res.text).toMatch(/trailguard_webhook_deliveries_total\{outcome="retry"\} [1-9]/);
    expect(res.text).toContain('trailguard_webhook_attempt_duration_seconds_bucket');
    expect(res.text).toMatch(/trailguard_webhook_queue_depth\{state="delayed"\} \d+/);
    // The sweep tests above gave one lost and one failed delivery a job again.
    expect(res.text).toMatch(/trailguard_webhook_sweep_requeued_total\{how="queued"\} [1-9]/);
    expect(res.text).toMatch(/trailguard_webhook_sweep_requeued_total\{how="retried"\} [1-9]/);
  });
});
