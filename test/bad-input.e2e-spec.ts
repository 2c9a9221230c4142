import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Test } from 'supertest';
import { Redis } from 'ioredis';
import { pendingBatchesKey } from '@trailguard/queues';
import { ownerQuery } from './support/faults';
import { startTestApp, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';
import { testEnv } from './support/test-env';

/**
 * Every route of the API, enumerated from /docs-json so a new route cannot be left out, fed
 * bad input: each answer is a 4xx in the error envelope and nothing changes, for the caller's
 * tenant or another one.
 */
const MAX_BODY = 256 * 1024;
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Route {
  method: Method;
  path: string;
  hasBody: boolean;
  params: string[];
}
interface Ids {
  account: string;
  rule: string;
  allowlist: string;
  finding: string;
  webhook: string;
  delivery: string;
  key: string;
  ingestToken: string;
}

const ruleYaml = (id: string, condition = 'sel') =>
  `title: Bad input probe\nid: ${id}\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: DeleteTrail}\n  condition: ${condition}\nlevel: low\n`;

/**
 * A body each route accepts, so an id case reaches the id check rather than stopping at the body.
 * A route missing here fails the suite: add it with its bad-input expectations.
 */
const VALID_BODY: Record<string, (id: string) => unknown> = {
  'post /v1/tenants': () => ({ name: 'never created' }),
  'patch /v1/tenant': () => ({ retentionDays: 30 }),
  'post /v1/api-keys': () => ({ name: 'never created', role: 'viewer' }),
  'post /v1/aws-accounts': () => ({ name: 'never created', polling: false }),
  'patch /v1/aws-accounts/{id}': () => ({ name: 'renamed' }),
  'post /v1/aws-accounts/{id}/verify': () => ({}),
  'post /v1/aws-accounts/{id}/events': () => ({ Records: [] }),
  'post /v1/ingest/eventbridge/{accountId}': () => [],
  'post /v1/rules': () => ({ yaml: ruleYaml(randomUUID()) }),
  'post /v1/rules/test': () => ({ yaml: ruleYaml(randomUUID()), events: [{ eventName: 'DeleteTrail' }] }),
  'put /v1/rules/{id}': (id) => ({ yaml: ruleYaml(id) }),
  'patch /v1/rules/{id}': () => ({ enabled: false }),
  'post /v1/allowlist': () => ({ principalPattern: 'arn:aws:iam::111122223333:role/Never', reason: 'never created' }),
  'patch /v1/findings/{id}': () => ({ status: 'acknowledged' }),
  'post /v1/webhooks': () => ({ url: 'http://127.0.0.1:9/never' }),
  'patch /v1/webhooks/{id}': () => ({ description: 'changed' }),
  'post /v1/webhooks/{id}/rotate-secret': () => ({}),
};

/** The fixture a path parameter names, by the resource segment before it. */
function idFor(path: string, param: string, ids: Ids): string {
  if (param === 'deliveryId') return ids.delivery;
  const resource = /^\/v1\/([\w-]+)/.exec(path)?.[1];
  const byResource: Record<string, string> = {
    'aws-accounts': ids.account,
    ingest: ids.account,
    rules: ids.rule,
    allowlist: ids.allowlist,
    findings: ids.finding,
    webhooks: ids.webhook,
    'api-keys': ids.key,
  };
  const id = resource ? byResource[resource] : undefined;
  if (!id) throw new Error(`no fixture for {${param}} of ${path}: add one to bad-input.e2e-spec.ts`);
  return id;
}

/** The valid body of a route for the ids it is called with (a replaced rule carries the path's id). */
function validBody(route: Route, pick: (param: string) => string): object {
  const make = VALID_BODY[`${route.method} ${route.path}`];
  if (!make) throw new Error(`no valid body for ${route.method} ${route.path}`);
  return make(route.params.includes('id') ? pick('id') : '') as object;
}

function fill(route: Route, pick: (param: string) => string): string {
  return route.path.replace(/\{(\w+)\}/g, (_, p: string) => encodeURIComponent(pick(p)));
}

describe('bad input on every route', () => {
  let t: TestApp;
  let a: TenantSession;
  let b: TenantSession;
  let ids: { a: Ids; b: Ids };
  let routes: Route[];
  let redis: Redis;
  let tenantTables: string[];
  let receiver: Server;
  let hookUrl: string;

  const isEventBridge = (r: Route) => r.path.startsWith('/v1/ingest/eventbridge/');
  const isUpload = (r: Route) => r.path === '/v1/aws-accounts/{id}/events';
  const isRule = (r: Route) => r.path.startsWith('/v1/rules');

  function call(route: Route, url: string): Test {
    const req = t.http[route.method](url).set('X-Admin-Token', t.adminToken);
    return isEventBridge(route) ? req.set('Authorization', `Bearer ${ids.a.ingestToken}`) : req.set(a.auth());
  }

  async function makeIds(s: TenantSession): Promise<Ids> {
    const account = await t.http.post('/v1/aws-accounts').set(s.auth()).send({ name: 'probe', polling: false }).expect(201);
    const ruleId = randomUUID();
    await t.http
      .post('/v1/rules')
      .set(s.auth())
      .send({ yaml: ruleYaml(ruleId) })
      .expect(201);
    const allow = await t.http
      .post('/v1/allowlist')
      .set(s.auth())
      .send({ principalPattern: 'arn:aws:iam::111122223333:role/Admin', reason: 'probe' })
      .expect(201);
    const hook = await t.http
      .post('/v1/webhooks')
      .set(s.auth())
      .send({ url: hookUrl, eventTypes: ['posture.changed'] })
      .expect(201);
    // One attempt, answered 500: a failed delivery row to address.
    const delivery = await t.http.post(`/v1/webhooks/${hook.body.id}/test`).set(s.auth()).expect(200);
    const key = await s.key('viewer');
    // A finding straight in the table: nothing asynchronous (outbox, fan-out) may move under the snapshots.
    const [finding] = await ownerQuery<{ id: string }>(
      `INSERT INTO findings (id, tenant_id, rule_id, rule_title, severity, actor, window_start, tags, event_count, first_seen_at, last_seen_at, updated_at)
       VALUES (gen_random_uuid(), $1, 'probe', 'Probe', 'high', 'arn:aws:iam::111122223333:user/probe', now(), '{}', 1, now(), now(), now()) RETURNING id`,
      [s.tenantId],
    );
    return {
      account: account.body.id,
      ingestToken: account.body.ingestToken,
      rule: ruleId,
      allowlist: allow.body.id,
      finding: finding!.id,
      webhook: hook.body.id,
      delivery: delivery.body.delivery.id,
      key: key.id,
    };
  }

  /** Every row of both tenants (API keys' last use aside, which reading legitimately updates), the tenant count, queued batches. */
  async function snapshot(): Promise<string> {
    const parts: string[] = [];
    for (const table of tenantTables) {
      const rows = await ownerQuery<{ h: string | null; n: number }>(
        `SELECT count(*)::int AS n, md5(string_agg((to_jsonb(x) - 'last_used_at')::text, ',' ORDER BY (to_jsonb(x) - 'last_used_at')::text)) AS h
         FROM "${table}" x WHERE tenant_id = ANY($1::uuid[])`,
        [[a.tenantId, b.tenantId]],
      );
      parts.push(`${table}:${rows[0]!.n}:${rows[0]!.h}`);
    }
    parts.push(`tenants:${(await ownerQuery<{ n: number }>('SELECT count(*)::int AS n FROM tenants'))[0]!.n}`);
    parts.push(`pending:${await redis.scard(pendingBatchesKey(a.tenantId))}:${await redis.scard(pendingBatchesKey(b.tenantId))}`);
    return parts.join('\n');
  }

  function expectEnvelope(
    res: { status: number; body: unknown; text: string },
    what: string,
    status?: number | number[],
    code?: string,
  ): void {
    const ok = status === undefined ? res.status >= 400 && res.status < 500 : ([] as number[]).concat(status).includes(res.status);
    const body = res.body as { error?: { code?: unknown; message?: unknown } };
    if (!ok || typeof body?.error?.code !== 'string' || typeof body.error.message !== 'string' || (code && body.error.code !== code)) {
      throw new Error(
        `${what}: expected ${status ?? '4xx'}${code ? ` ${code}` : ''} in the envelope, got ${res.status} ${res.text.slice(0, 300)}`,
      );
    }
  }

  beforeAll(async () => {
    t = await startTestApp({ MAX_BODY_BYTES: String(MAX_BODY), RATE_LIMIT_PER_MINUTE: '100000', PLATFORM_AWS_ACCOUNT_ID: '999988887777' });
    a = await TenantSession.create(t);
    b = await TenantSession.create(t);
    redis = new Redis(testEnv().redisUrl);
    receiver = createServer((_req, res) => res.writeHead(500).end());
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    ids = { a: await makeIds(a), b: await makeIds(b) };
    tenantTables = (
      await ownerQuery<{ t: string }>(
        `SELECT table_name AS t FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY 1`,
      )
    ).map((r) => r.t);
    const doc = (await t.http.get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { requestBody?: unknown; parameters?: Array<{ in: string; name: string }> }>>;
    };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method as Method,
        path,
        hasBody: op.requestBody !== undefined || VALID_BODY[`${method} ${path}`] !== undefined,
        params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
      })),
    );
  }, 30_000);
  afterAll(async () => {
    redis.disconnect();
    receiver.close();
    await t.close();
  });

  it('knows every route of the API, and a valid body for each route that takes one', () => {
    expect(routes.length).toBeGreaterThanOrEqual(40);
    for (const must of [
      'post /v1/aws-accounts/{id}/events',
      'put /v1/rules/{id}',
      'get /readyz',
      'post /v1/webhooks/{id}/deliveries/{deliveryId}/redeliver',
    ]) {
      expect(routes.map((r) => `${r.method} ${r.path}`)).toContain(must);
    }
    const withBody = routes.filter((r) => r.hasBody).map((r) => `${r.method} ${r.path}`);
    expect(withBody.filter((k) => !VALID_BODY[k])).toEqual([]);
    for (const r of routes) for (const p of r.params) expect([r.path, p, typeof idFor(r.path, p, ids.a)]).toEqual([r.path, p, 'string']);
  });

  it('malformed, truncated, huge and deeply nested JSON: 400 or 413 on every route, nothing changes', async () => {
    const before = await snapshot();
    const depth = 50_000;
    const cases: Array<[string, string, number, string]> = [
      ['malformed', '{"name": "x",, }', 400, 'invalid_json'],
      ['truncated', '{"name": "x", "role": "vie', 400, 'invalid_json'],
      ['not JSON at all', 'name=x&role=viewer', 400, 'invalid_json'],
      ['a bare string', '"just a string"', 400, 'invalid_json'],
      ['huge', JSON.stringify({ name: 'x'.repeat(MAX_BODY + 10) }), 413, 'payload_too_large'],
      ['deeply nested arrays', '['.repeat(depth) + ']'.repeat(depth), 400, 'json_too_deep'],
      ['deeply nested objects', '{"a":'.repeat(depth / 2) + '1' + '}'.repeat(depth / 2), 400, 'json_too_deep'],
    ];
    for (const route of routes) {
      const url = fill(route, (p) => idFor(route.path, p, ids.a));
      for (const [what, body, status, code] of cases) {
        const res = await call(route, url).set('Content-Type', 'application/json').send(body);
        expectEnvelope(res, `${route.method} ${route.path} with ${what} JSON`, status, code);
      }
    }
    expect(await snapshot()).toBe(before);
  }, 60_000);

  it('wrong content types and wrong JSON shapes on every route that takes a body: 415 or 400, nothing changes', async () => {
    const before = await snapshot();
    for (const route of routes.filter((r) => r.hasBody)) {
      const own = (p: string) => idFor(route.path, p, ids.a);
      const url = fill(route, own);
      const key = `${route.method} ${route.path}`;
      for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']) {
        const res = await call(route, url)
          .set('Content-Type', type)
          .send(JSON.stringify(validBody(route, own)));
        expectEnvelope(res, `${key} as ${type}`, 415, undefined);
      }
      // Upload and push take record collections and report bad records by position (test/properties).
      if (isUpload(route) || isEventBridge(route)) continue;
      for (const shape of [[], [1, 2], { unexpected: true }, { ...validBody(route, own), extra: 'field' }]) {
        const res = await call(route, url).send(shape as object);
        expectEnvelope(res, `${key} with ${JSON.stringify(shape).slice(0, 80)}`, 400, 'validation_failed');
      }
    }
    expect(await snapshot()).toBe(before);
  }, 60_000);

  it('ids of another tenant, unknown ids and non-UUID ids: 404 on every route with an id, nothing changes', async () => {
    const before = await snapshot();
    for (const route of routes.filter((r) => r.params.length > 0)) {
      const key = `${route.method} ${route.path}`;
      const unknown = randomUUID();
      const variants: Array<[string, (p: string) => string]> = [
        ["the other tenant's", (p) => idFor(route.path, p, ids.b)],
        ['an unknown', () => unknown],
        ['a non-UUID', () => 'not-a-uuid'],
        ['an SQL-ish', () => "1' OR '1'='1"],
      ];
      // Each parameter in turn: a foreign delivery under one's own webhook is as unknown as a foreign webhook.
      for (const param of route.params) {
        for (const [what, pick] of variants) {
          const chosen = (p: string) => (p === param ? pick(p) : idFor(route.path, p, ids.a));
          let req = call(route, fill(route, chosen));
          if (route.hasBody) req = req.send(validBody(route, chosen));
          const res = await req;
          // The push route answers an unknown account exactly like a wrong token: it learns nothing.
          expectEnvelope(res, `${key} with ${what} ${param}`, isEventBridge(route) ? 401 : 404);
        }
      }
    }
    expect(await snapshot()).toBe(before);
  }, 60_000);

  it('invalid Sigma on the rule routes: 400 invalid_rule with line and column, nothing changes', async () => {
    const before = await snapshot();
    const badRules = [
      ruleYaml(randomUUID(), 'sel and ('),
      ruleYaml(randomUUID(), 'nosuchselection'),
      ruleYaml(randomUUID()).replace('sel: {eventName: DeleteTrail}', 'sel: {eventName|nosuchmodifier: DeleteTrail}'),
      ruleYaml(randomUUID()).replace('detection:', 'detection: [unclosed'),
      'title: x\n  id: bad indentation\n:\n',
    ];
    const ruleRoutes = routes.filter((r) => isRule(r) && r.hasBody && r.method !== 'patch');
    expect(ruleRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['post /v1/rules', 'post /v1/rules/test', 'put /v1/rules/{id}']);
    for (const route of ruleRoutes) {
      const url = fill(route, (p) => idFor(route.path, p, ids.a));
      for (const yaml of badRules) {
        const body = route.path.endsWith('/test') ? { yaml, events: [{ eventName: 'DeleteTrail' }] } : { yaml };
        const asJson = await call(route, url).send(body);
        expectEnvelope(asJson, `${route.method} ${route.path} with ${JSON.stringify(yaml).slice(0, 60)}`, 400, 'invalid_rule');
        expect(asJson.body.error.details).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
        if (route.path.endsWith('/test')) continue;
        const asYaml = await call(route, url).set('Content-Type', 'application/yaml').send(yaml);
        expectEnvelope(asYaml, `${route.method} ${route.path} as YAML`, 400, 'invalid_rule');
      }
    }
    expect(await snapshot()).toBe(before);
  }, 60_000);

  it('corrupt, truncated, mislabelled and oversized gzip on the upload route: 400 or 413, nothing queued', async () => {
    const before = await snapshot();
    const url = `/v1/aws-accounts/${ids.a.account}/events`;
    const good = gzipSync(JSON.stringify({ Records: [{ eventID: randomUUID(), eventName: 'X', eventSource: 'y' }] }));
    const cases: Array<[string, Buffer, Record<string, string>, number, string]> = [
      [
        'corrupt',
        Buffer.concat([good.subarray(0, 12), Buffer.from('garbage garbage garbage')]),
        { 'Content-Type': 'application/gzip' },
        400,
        'corrupt_gzip',
      ],
      ['truncated', good.subarray(0, Math.floor(good.length / 2)), { 'Content-Type': 'application/gzip' }, 400, 'corrupt_gzip'],
      ['truncated by one byte', good.subarray(0, good.length - 1), { 'Content-Type': 'application/gzip' }, 400, 'corrupt_gzip'],
      ['a header only', good.subarray(0, 10), { 'Content-Type': 'application/gzip' }, 400, 'corrupt_gzip'],
      ['declared but plain', Buffer.from('{"eventID":"x"}\n'), { 'Content-Type': 'application/gzip' }, 400, 'corrupt_gzip'],
      [
        'content-encoding gzip but plain',
        Buffer.from('{"eventID":"x"}\n'),
        { 'Content-Type': 'application/x-ndjson', 'Content-Encoding': 'gzip' },
        400,
        'corrupt_gzip',
      ],
      ['a bomb', gzipSync(Buffer.alloc(MAX_BODY * 11, 0x20)), { 'Content-Type': 'application/gzip' }, 413, 'payload_too_large'],
      // The outer layer inflates to a few KB; the layer inside it is what blows past the cap.
      [
        'a nested bomb',
        gzipSync(gzipSync(Buffer.alloc(MAX_BODY * 11, 0x20), { level: 9 }), { level: 9 }),
        { 'Content-Type': 'application/gzip' },
        413,
        'payload_too_large',
      ],
      [
        'a nested bomb sent gzip-encoded',
        gzipSync(gzipSync(gzipSync(Buffer.alloc(MAX_BODY * 11, 0x20), { level: 9 }))),
        { 'Content-Type': 'application/x-ndjson', 'Content-Encoding': 'gzip' },
        413,
        'payload_too_large',
      ],
      [
        'too large before unpacking',
        Buffer.alloc(MAX_BODY + 1, 0x20),
        { 'Content-Type': 'application/x-ndjson' },
        413,
        'payload_too_large',
      ],
      ['empty', Buffer.alloc(0), { 'Content-Type': 'application/gzip' }, 400, 'empty_body'],
      ['another encoding', good, { 'Content-Type': 'application/x-ndjson', 'Content-Encoding': 'br' }, 415, 'unsupported_encoding'],
    ];
    for (const [what, body, headers, status, code] of cases) {
      const res = await t.http.post(url).set(a.auth()).set(headers).send(body);
      expectEnvelope(res, `upload of ${what} gzip`, status, code);
    }
    expect(await snapshot()).toBe(before);
  }, 60_000);

  it('an NDJSON record nested too deep to store is reported with its line; the lines around it are taken', async () => {
    const url = `/v1/aws-accounts/${ids.a.account}/events`;
    const rec = () => ({ eventID: randomUUID(), eventName: 'DescribeTrails', eventSource: 'cloudtrail.amazonaws.com' });
    const deep = { ...rec(), requestParameters: JSON.parse('{"a":'.repeat(200) + '1' + '}'.repeat(200)) };
    const body = [rec(), deep, rec()].map((r) => JSON.stringify(r)).join('\n');
    const res = await t.http.post(url).set(a.auth()).set('Content-Type', 'application/x-ndjson').send(body).expect(202);
    expect(res.body).toMatchObject({ accepted: 2, rejected: 1 });
    expect(res.body.errors).toEqual([
      expect.objectContaining({ line: 2, code: 'too_deep', message: expect.stringMatching(/deeper than 126 levels/) }),
    ]);
  });
});
