import { request } from 'undici';
import { SsrfSafeAgent, type HostResolver, type ResolvedAddress } from './ssrf-dispatcher';
import { startReceiver, type Receiver } from './test-receiver.test-helper';
import { RECEIVER_TEST_CERT, startTlsReceiver } from './test-tls.test-helper';
import { sendWebhook } from './webhook-sender';
import { SsrfBlockedError } from './webhooks.errors';

/** A fake DNS that answers from a table and counts how often it was asked. */
function fakeDns(table: Record<string, ResolvedAddress[]>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    const found = table[hostname];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return found;
  };
  return Object.assign(resolve, { calls });
}

async function rawRequestError(agent: SsrfSafeAgent, url: string): Promise<unknown> {
  try {
    const res = await request(url, { method: 'POST', body: '{}', dispatcher: agent });
    await res.body.dump();
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('SsrfSafeAgent', () => {
  let receiver: Receiver;
  const agents: SsrfSafeAgent[] = [];
  const agent = (options: ConstructorParameters<typeof SsrfSafeAgent>[0]): SsrfSafeAgent => {
    const created = new SsrfSafeAgent(options);
    agents.push(created);
    return created;
  };

  beforeAll(async () => {
    receiver = await startReceiver((_req, res) => res.writeHead(200).end('ok'));
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.destroy()));
    await receiver.close();
  });

  it('refuses a hostname that resolves to a private address, at send time, without connecting', async () => {
    const dns = fakeDns({ 'hooks.customer.example': [{ address: '127.0.0.1', family: 4 }] });
    const before = receiver.requests.length;
    const result = await sendWebhook({
      url: `http://hooks.customer.example:${receiver.port}/hook`,
      body: '{}',
      headers: {},
      dispatcher: agent({ allowHttp: true, resolve: dns }),
    });
    expect(result).toMatchObject({ ok: false, errorCode: 'ssrf_blocked' });
    expect(result.errorMessage).toContain('127.0.0.1 (loopback)');
    expect(dns.calls).toEqual(['hooks.customer.example']);
    expect(receiver.requests.length).toBe(before);
  });

  it('refuses when ANY resolved address is blocked (mixed public and metadata answers)', async () => {
    const dns = fakeDns({
      'mixed.example': [
        { address: '93.184.216.34', family: 4 },
        { address: '::ffff:169.254.169.254', family: 6 },
      ],
    });
    const err = await rawRequestError(agent({ allowHttp: true, resolve: dns }), 'http://mixed.example/hook');
    expect(err).toBeInstanceOf(SsrfBlockedError);
    expect(err).toMatchObject({
      address: '::ffff:169.254.169.254',
      range: 'ipv4Mapped:linkLocal',
      hostname: 'mixed.example',
    });
  });

  it('refuses localhost through the real system resolver', async () => {
    const err = await rawRequestError(agent({ allowHttp: true }), `http://localhost:${receiver.port}/hook`);
    expect(err).toBeInstanceOf(SsrfBlockedError);
    expect((err as SsrfBlockedError).range).toMatch(/loopback/);
  });

  it.each(['127.0.0.1', '[::ffff:127.0.0.1]', '[::1]', '169.254.169.254', '0.0.0.0'])(
    'refuses the literal %s in the connector even when the URL check is bypassed',
    async (host) => {
      const err = await rawRequestError(agent({ allowHttp: true }), `http://${host}:${receiver.port}/hook`);
      expect(err).toBeInstanceOf(SsrfBlockedError);
    },
  );

  it('connects to the address it checked, once, and keeps the hostname in the Host header', async () => {
    const dns = fakeDns({ 'receiver.test': [{ address: '127.0.0.1', family: 4 }] });
    const dev = agent({ allowPrivate: true, allowHttp: true, resolve: dns });
    const before = receiver.requests.length;
    const result = await sendWebhook({
      url: `http://receiver.test:${receiver.port}/hook`,
      body: '{}',
      headers: {},
      dispatcher: dev,
    });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(receiver.requests.length).toBe(before + 1);
    expect(receiver.requests.at(-1)?.headers.host).toBe(`receiver.test:${receiver.port}`);
    expect(dns.calls).toEqual(['receiver.test']);
  });

  it('lets a 127.0.0.1 receiver through with allowPrivate', async () => {
    const result = await sendWebhook({
      url: receiver.url,
      body: '{}',
      headers: {},
      dispatcher: agent({ allowPrivate: true, allowHttp: true }),
    });
    expect(result).toMatchObject({ ok: true, status: 200, responseSnippet: 'ok' });
  });

  it('reports an unresolvable name as a DNS error, not an SSRF refusal', async () => {
    const result = await sendWebhook({
      url: 'https://nowhere.example/hook',
      body: '{}',
      headers: {},
      dispatcher: agent({ resolve: fakeDns({}) }),
    });
    expect(result).toMatchObject({ ok: false, errorCode: 'dns_error' });
  });

  it('over https, connects to the checked address while verifying the certificate for the hostname', async () => {
    const tls = await startTlsReceiver();
    const dns = fakeDns({
      'receiver.test': [{ address: '127.0.0.1', family: 4 }],
      'impostor.test': [{ address: '127.0.0.1', family: 4 }],
    });
    try {
      const trusted = agent({ allowPrivate: true, resolve: dns, ca: RECEIVER_TEST_CERT });
      const ok = await sendWebhook({
        url: `https://receiver.test:${tls.port}/hook`,
        body: '{}',
        headers: {},
        dispatcher: trusted,
      });
      expect(ok).toMatchObject({ ok: true, status: 200, responseSnippet: 'tls ok' });
      // Same address, other name: the certificate does not cover it, so the handshake must fail.
      const mismatch = await sendWebhook({
        url: `https://impostor.test:${tls.port}/hook`,
        body: '{}',
        headers: {},
        dispatcher: trusted,
      });
      expect(mismatch).toMatchObject({ ok: false, errorCode: 'tls_error' });
      const untrusted = agent({ allowPrivate: true, resolve: dns });
      const selfSigned = await sendWebhook({
        url: `https://receiver.test:${tls.port}/hook`,
        body: '{}',
        headers: {},
        dispatcher: untrusted,
      });
      expect(selfSigned).toMatchObject({ ok: false, errorCode: 'tls_error' });
    } finally {
      await tls.close();
    }
  });
});
