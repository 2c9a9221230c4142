import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { startTestApp, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';

/**
 * Property-based fuzzing of every operation in /docs-json: generated malformed and boundary path
 * parameters, query strings, headers and bodies, with and without valid credentials. Whatever the
 * input, the answer is never a 5xx, every error is the envelope, and the process stays healthy.
 * Bounded for CI: a fixed number of runs per operation and a fixed seed per run (printed on failure).
 */
const RUNS_PER_OPERATION = Number(process.env.TG_FUZZ_RUNS ?? 20);

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  params: string[];
  query: string[];
  bodySchema?: JsonSchema;
}

interface Input {
  params: string[];
  query: Array<[string, string]>;
  auth: 'admin' | 'viewer' | 'garbage' | 'none' | 'operator';
  body: { type: string; encoding?: string; bytes: Buffer } | undefined;
}

const boundaryStrings = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '0',
      '-1',
      '1e309',
      'null',
      'true',
      '[]',
      '{}',
      'not-a-uuid',
      '00000000-0000-0000-0000-000000000000',
      '..%2f..',
      '%00',
      '\u0000',
      'a\u0000b',
      "' OR 1=1 --",
      '*',
      'a*a*a*a*a*a*a*a*a*b',
      '\u202e',
      '\ud83d\ude00',
      'x'.repeat(5000),
    ),
  },
  fc.uuid(),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(
    fc.constantFrom(
      'name',
      'role',
      'yaml',
      'url',
      'events',
      'enabled',
      'status',
      'comment',
      'principalPattern',
      'reason',
      'regions',
      's3Bucket',
      'polling',
      'expiresAt',
      'ruleIds',
      'level',
      'eventTypes',
      'minSeverity',
      'Records',
      'detail',
      'detail-type',
    ),
    fc.oneof(boundaryStrings, fc.jsonValue({ maxDepth: 3 })),
    { maxKeys: 6 },
  ),
  fc.array(fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), { maxLength: 4 }),
);

const body = fc.oneof(
  { weight: 4, arbitrary: jsonish.map((v) => ({ type: 'application/json', bytes: Buffer.from(JSON.stringify(v)) })) },
  fc.string({ maxLength: 200 }).map((s) => ({ type: 'application/json', bytes: Buffer.from(s) })),
  fc.string({ maxLength: 300 }).map((s) => ({ type: 'application/yaml', bytes: Buffer.from(s) })),
  fc
    .array(jsonish, { maxLength: 5 })
    .map((lines) => ({ type: 'application/x-ndjson', bytes: Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n')) })),
  jsonish.map((v) => ({ type: 'application/gzip', bytes: gzipSync(gzipSync(JSON.stringify(v))) })),
  fc.uint8Array({ maxLength: 200 }).map((b) => ({ type: 'application/gzip', bytes: Buffer.from(b) })),
  fc
    .tuple(
      fc.uint8Array({ maxLength: 200 }),
      fc.constantFrom('deflate', 'gzip', 'br', 'identity', 'compress'),
      fc.constantFrom('application/json', 'application/x-ndjson', 'application/yaml'),
    )
    .map(([b, encoding, type]) => ({ type, encoding, bytes: Buffer.from(b) })),
  fc
    .constantFrom('text/plain', 'multipart/form-data', 'application/xml', 'application/octet-stream')
    .map((type) => ({ type, bytes: Buffer.from('x=1') })),
);

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
}

/**
 * Values that follow the operation's documented body schema, with boundary values in its strings
 * and numbers: such bodies get past validation, so the fuzz reaches services and the database.
 */
function fromSchema(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 1 });
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...schema.enum) }, boundaryStrings);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((x) => fromSchema(x, depth + 1)));
  if (schema.allOf?.length) return fromSchema(schema.allOf[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const props = Object.entries(schema.properties ?? {});
      const required = new Set(schema.required ?? []);
      return fc.record(Object.fromEntries(props.map(([k, v]) => [k, fromSchema(v, depth + 1)])), {
        requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)),
      });
    }
    case 'array':
      return fc.array(fromSchema(schema.items, depth + 1), { maxLength: 3 });
    case 'string':
      return schema.format === 'date-time'
        ? fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            boundaryStrings,
          )
        : boundaryStrings;
    case 'integer':
    case 'number':
      return fc.oneof(fc.constantFrom(0, -1, 1, 2 ** 31, Number.MAX_SAFE_INTEGER, 0.5), fc.integer({ min: 1, max: 500 }));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

const input = (op: Operation): fc.Arbitrary<Input> =>
  fc.record({
    params: fc.array(boundaryStrings, { minLength: op.params.length, maxLength: op.params.length }),
    query: fc.array(
      fc.tuple(fc.oneof(fc.constantFrom(...op.query, 'limit', 'cursor', 'unknown'), fc.string({ maxLength: 10 })), boundaryStrings),
      { maxLength: 4 },
    ),
    auth: fc.constantFrom('admin', 'admin', 'admin', 'admin', 'viewer', 'garbage', 'none', 'operator'),
    body: fc.option(
      op.bodySchema
        ? fc.oneof(
            {
              weight: 3,
              arbitrary: fromSchema(op.bodySchema).map((v) => ({ type: 'application/json', bytes: Buffer.from(JSON.stringify(v)) })),
            },
            body,
          )
        : body,
      { nil: undefined, freq: 4 },
    ),
  });

describe('fuzzing every operation of /docs-json', () => {
  let t: TestApp;
  let s: TenantSession;
  let viewerKey: string;
  let base: string;
  let operations: Operation[];

  beforeAll(async () => {
    t = await startTestApp({
      MAX_BODY_BYTES: String(64 * 1024),
      RATE_LIMIT_PER_MINUTE: '1000000',
      PLATFORM_AWS_ACCOUNT_ID: '999988887777',
    });
    s = await TenantSession.create(t);
    viewerKey = (await s.key('viewer')).key;
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    const doc = (await t.http.get('/docs-json').expect(200)).body as {
      paths: Record<
        string,
        Record<
          string,
          { parameters?: Array<{ in: string; name: string }>; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }
        >
      >;
    };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method as Operation['method'],
        path,
        params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        bodySchema: op.requestBody?.content?.['application/json']?.schema,
      })),
    );
  }, 30_000);
  afterAll(() => t.close());

  async function call(op: Operation, x: Input): Promise<{ status: number; text: string; type: string }> {
    let path = op.path;
    op.params.forEach((p, i) => (path = path.replace(`{${p}}`, encodeURIComponent(x.params[i]!))));
    const qs = new URLSearchParams(x.query).toString();
    const headers: Record<string, string> = {};
    if (x.auth === 'admin') headers.Authorization = s.auth().Authorization;
    if (x.auth === 'viewer') headers.Authorization = `Bearer ${viewerKey}`;
    if (x.auth === 'garbage') headers.Authorization = 'Bearer tg_0000000000000000000000000000000000000000';
    if (x.auth === 'operator') headers['X-Admin-Token'] = t.adminToken;
    if (x.body) {
      headers['Content-Type'] = x.body.type;
      if (x.body.encoding) headers['Content-Encoding'] = x.body.encoding;
    }
    const withBody = x.body !== undefined && op.method !== 'get';
    const res = await fetch(`${base}${path}${qs ? `?${qs}` : ''}`, {
      method: op.method.toUpperCase(),
      headers,
      body: withBody ? x.body!.bytes : undefined,
    });
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
  }

  it('knows the whole API, with the body schemas it documents', () => {
    expect(operations.length).toBeGreaterThanOrEqual(40);
    expect(operations.filter((o) => o.bodySchema).length).toBeGreaterThanOrEqual(10);
  });

  it('never answers 5xx; every error is the envelope', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      await fc
        .assert(
          fc.asyncProperty(input(op), async (x) => {
            const res = await call(op, x);
            const what = `${op.method.toUpperCase()} ${op.path} ${JSON.stringify({ ...x, body: x.body && { ...x.body, bytes: x.body.bytes.toString('base64').slice(0, 200) } }).slice(0, 600)}`;
            if (res.status >= 500) throw new Error(`${what} -> ${res.status} ${res.text.slice(0, 300)}`);
            if (res.status >= 400) {
              const parsed = (() => {
                try {
                  return JSON.parse(res.text) as { error?: { code?: unknown; message?: unknown } };
                } catch {
                  return undefined;
                }
              })();
              if (typeof parsed?.error?.code !== 'string' || typeof parsed.error.message !== 'string') {
                throw new Error(`${what} -> ${res.status} without the envelope: ${res.text.slice(0, 200)}`);
              }
            }
          }),
          { numRuns: RUNS_PER_OPERATION, endOnFailure: true },
        )
        .catch((err: Error) => failures.push(err.message.slice(0, 1500)));
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it('leaves the process healthy', async () => {
    await t.http.get('/healthz').expect(200);
    const ready = await t.http.get('/readyz').expect(200);
    expect(ready.body.checks.postgres.ok).toBe(true);
    expect(ready.body.checks.redis.ok).toBe(true);
    await t.http.get('/v1/api-keys').set(s.auth()).expect(200);
  });
});
