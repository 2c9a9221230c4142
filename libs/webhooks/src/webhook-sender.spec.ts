import { Webhook } from 'standardwebhooks';
import { nextAttempt } from './retry-policy';
import { SsrfSafeAgent } from './ssrf-dispatcher';
import { startReceiver, type Receiver, type ReceiverHandler } from './test-receiver.test-helper';
import { buildWebhookBody } from './webhook-payload';
import { generateWebhookSecret } from './webhook-secret';
import { generateMessageId, signPayload } from './webhook-signature';
import { sendWebhook } from './webhook-sender';

const dev = new SsrfSafeAgent({ allowPrivate: true, allowHttp: true });
const receivers: Receiver[] = [];

async function receiver(handler: ReceiverHandler): Promise<Receiver> {
  const started = await startReceiver(handler);
  receivers.push(started);
  return started;
}

afterAll(async () => {
  await dev.destroy();
  await Promise.all(receivers.map((r) => r.close()));
});

function signedDelivery(secrets: string[]): { body: string; headers: Record<string, string> } {
  const body = buildWebhookBody('finding.created', { id: 'f_1', rule: 'Root login', note: 'ünïcødé ✓' }, new Date());
  const headers = signPayload({ msgId: generateMessageId(), timestamp: new Date(), body, secrets });
  return { body, headers };
}

describe('sendWebhook', () => {
  it('delivers a body that a standardwebhooks receiver verifies, with each secret during rotation', async () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    const verdicts: string[] = [];
    const hook = await receiver((req, res) => {
      const headers = req.headers as Record<string, string>;
      for (const secret of [oldSecret, newSecret]) {
        try {
          new Webhook(secret).verify(req.body, headers);
          verdicts.push('valid');
        } catch {
          verdicts.push('invalid');
        }
      }
      res.writeHead(verdicts.includes('invalid') ? 400 : 204).end();
    });
    const delivery = signedDelivery([newSecret, oldSecret]);
    const result = await sendWebhook({ url: hook.url, ...delivery, dispatcher: dev });
    expect(result).toMatchObject({ ok: true, status: 204 });
    expect(verdicts).toEqual(['valid', 'valid']);
    expect(hook.requests[0]?.body).toBe(delivery.body);
    expect(hook.requests[0]?.headers['content-type']).toBe('application/json');
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('a tampered body fails verification at the receiver', async () => {
    const secret = generateWebhookSecret();
    const hook = await receiver((req, res) => {
      try {
        new Webhook(secret).verify(req.body, req.headers as Record<string, string>);
        res.writeHead(204).end();
      } catch {
        res.writeHead(401).end('bad signature');
      }
    });
    const delivery = signedDelivery([secret]);
    const result = await sendWebhook({
      url: hook.url,
      body: delivery.body.replace('Root login', 'Root logout'),
      headers: delivery.headers,
      dispatcher: dev,
    });
    expect(result).toMatchObject({ ok: false, status: 401, errorCode: 'http_error', responseSnippet: 'bad signature' });
  });

  it('500 then 200: the failure is retried on schedule and the retry succeeds', async () => {
    const hook = await receiver((_req, res, index) => res.writeHead(index === 0 ? 500 : 200).end(index === 0 ? 'boom' : 'ok'));
    const now = new Date('2026-11-29T12:00:00Z');
    const first = await sendWebhook({ url: hook.url, body: '{}', headers: {}, dispatcher: dev });
    expect(first).toMatchObject({ ok: false, status: 500, errorCode: 'http_error', responseSnippet: 'boom' });
    const decision = nextAttempt({ attempt: 1, outcome: first, now, random: () => 0.5 });
    expect(decision).toEqual({ action: 'retry', delayMs: 5000, at: new Date(now.getTime() + 5000) });
    const second = await sendWebhook({ url: hook.url, body: '{}', headers: {}, dispatcher: dev });
    expect(nextAttempt({ attempt: 2, outcome: second, now })).toEqual({ action: 'succeeded' });
    expect(hook.requests).toHaveLength(2);
  });

  it('429 with Retry-After: the header is reported and honoured by nextAttempt', async () => {
    const hook = await receiver((_req, res) => res.writeHead(429, { 'retry-after': '120' }).end());
    const result = await sendWebhook({ url: hook.url, body: '{}', headers: {}, dispatcher: dev });
    expect(result).toMatchObject({ ok: false, status: 429, retryAfterSeconds: 120 });
    expect(nextAttempt({ attempt: 1, outcome: result, random: () => 0.5 })).toMatchObject({
      action: 'retry',
      delayMs: 120_000,
    });
  });

  it('503 with an HTTP-date Retry-After is converted to seconds', async () => {
    const hook = await receiver((_req, res) => res.writeHead(503, { 'retry-after': new Date(Date.now() + 600_000).toUTCString() }).end());
    const result = await sendWebhook({ url: hook.url, body: '{}', headers: {}, dispatcher: dev });
    expect(result.status).toBe(503);
    expect(result.retryAfterSeconds).toBeGreaterThanOrEqual(595);
    expect(result.retryAfterSeconds).toBeLessThanOrEqual(600);
  });

  it('410 Gone disables the endpoint', async () => {
    const hook = await receiver((_req, res) => res.writeHead(410).end());
    const result = await sendWebhook({ url: hook.url, body: '{}', headers: {}, dispatcher: dev });
    expect(result).toMatchObject({ ok: false, status: 410 });
    expect(nextAttempt({ attempt: 1, outcome: result })).toEqual({ action: 'disable_endpoint', reason: 'gone' });
  });

  it('a slow receiver hits the timeout', async () => {
    const pending: Array<() => void> = [];
    const hook = await receiver((_req, res) => {
      const timer = setTimeout(() => res.writeHead(200).end(), 5000);
      pending.push(() => clearTimeout(timer));
    });
    const result = await sendWebhook({ url: hook.url, body: '{}', headers: {}, timeoutMs: 150, dispatcher: dev });
    pending.forEach((cancel) => cancel());
    expect(result).toMatchObject({ ok: false, errorCode: 'timeout' });
    expect(result.status).toBeUndefined();
    expect(nextAttempt({ attempt: 1, outcome: result }).action).toBe('retry');
  });

  it('reads at most maxResponseBytes of a huge answer', async () => {
    const hook = await receiver((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      // 8 MiB of answer: only the first few KiB may ever be buffered on our side.
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const pump = (): void => {
        while (sent < 128) {
          sent += 1;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
    });
    const result = await sendWebhook({ url: hook.url, body: '{}', headers: {}, dispatcher: dev });
    expect(result).toMatchObject({ ok: false, status: 500, responseTruncated: true });
    expect(result.responseSnippet).toHaveLength(4096);
    const small = await sendWebhook({ url: hook.url, body: '{}', headers: {}, maxResponseBytes: 10, dispatcher: dev });
    expect(small.responseSnippet).toBe('xxxxxxxxxx');
  });

  it('does not follow a 302', async () => {
    const target = await receiver((_req, res) => res.writeHead(200).end());
    const hook = await receiver((_req, res) => res.writeHead(302, { location: target.url }).end());
    const result = await sendWebhook({ url: hook.url, body: '{}', headers: {}, dispatcher: dev });
    expect(result).toMatchObject({ ok: false, status: 302, errorCode: 'redirect_not_followed' });
    expect(target.requests).toHaveLength(0);
    expect(nextAttempt({ attempt: 1, outcome: result }).action).toBe('retry');
  });

  it('reports a refused connection', async () => {
    const closed = await receiver((_req, res) => res.end());
    await closed.close();
    const result = await sendWebhook({ url: closed.url, body: '{}', headers: {}, dispatcher: dev });
    expect(result).toMatchObject({ ok: false, errorCode: 'connection_refused' });
  });

  it('applies the dispatcher policy before sending, and is strict without a dispatcher', async () => {
    const hook = await receiver((_req, res) => res.writeHead(200).end());
    const httpsOnly = new SsrfSafeAgent({ allowPrivate: true });
    const refused = await sendWebhook({ url: hook.url, body: '{}', headers: {}, dispatcher: httpsOnly });
    await httpsOnly.destroy();
    expect(refused).toMatchObject({ ok: false, errorCode: 'http_not_allowed' });
    const strict = await sendWebhook({ url: 'https://127.0.0.1:8443/hook', body: '{}', headers: {} });
    expect(strict).toMatchObject({ ok: false, errorCode: 'ssrf_blocked' });
    expect(strict.errorMessage).toContain('loopback');
    const invalid = await sendWebhook({ url: 'not a url', body: '{}', headers: {}, dispatcher: dev });
    expect(invalid).toMatchObject({ ok: false, errorCode: 'invalid_url' });
    expect(hook.requests).toHaveLength(0);
  });
});
