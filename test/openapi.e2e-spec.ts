/**
 * /docs-json is a complete OpenAPI 3.0 document (a validator accepts it; every operation has its
 * parameters, response schema, example and error envelope), and the committed typed client
 * (scripts/api-client) is what that document generates: a route or field change without
 * `npm run api:client` fails here. A typed-client round trip checks live answers against it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { OPERATIONS } from '../apps/api/src/openapi/operations';
import { ok, trailguardClient } from '../scripts/api-client';
import { startTestApp, type TestApp } from './support/test-app';

type Json = Record<string, unknown>;
type Operation = { operationId: string; parameters?: Json[]; responses: Record<string, Json>; security?: Json[]; requestBody?: Json };

function* operations(doc: { paths: Record<string, Record<string, Operation>> }) {
  for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) yield { path, method, op };
}

function keysDeep(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => keysDeep(n, found));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      found.add(k);
      keysDeep(v, found);
    }
  }
  return found;
}

describe('OpenAPI document and generated client', () => {
  let t: TestApp;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, Json> } };
  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestApp({ PLATFORM_AWS_ACCOUNT_ID: '999988887777' });
    doc = (await t.http.get('/docs-json').expect(200)).body;
    const address = t.app.getHttpServer().address() as { port: number };
    baseUrl = `http://127.0.0.1:${address.port}`;
  });
  afterAll(() => t.close());

  it('is valid OpenAPI 3.0 for a validator, without JSON Schema 2020-12 keywords or a JWT bearer format', async () => {
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    const keys = keysDeep(doc);
    expect(keys.has('$schema')).toBe(false);
    expect(keys.has('$id')).toBe(false);
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(keys.has('bearerFormat')).toBe(false);
  });

  it('declares every path parameter and the query filters', () => {
    for (const { path, op } of operations(doc)) {
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect([path, declared.sort()]).toEqual([path, [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()]);
    }
    const findings = doc.paths['/v1/findings']!.get!;
    const query = (findings.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(query).toEqual(
      expect.arrayContaining(['limit', 'cursor', 'status', 'severity', 'ruleId', 'accountId', 'actor', 'from', 'to', 'format']),
    );
  });

  it('gives every operation a response schema with an example, the error envelope and its security', () => {
    const problems: string[] = [];
    for (const { path, method, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      const [status, success] = Object.entries(op.responses).find(([s]) => s.startsWith('2')) ?? [];
      if (!success) problems.push(`${where}: no 2xx response`);
      else if (status !== '204') {
        const media = Object.values((success.content ?? {}) as Record<string, Json>)[0];
        if (!media?.schema) problems.push(`${where}: no response schema (add ${op.operationId} to apps/api/src/openapi/operations.ts)`);
        if (media?.example === undefined) problems.push(`${where}: no example`);
      }
      const errors = Object.entries(op.responses).filter(([s]) => /^[45]/.test(s));
      if (!errors.some(([s]) => s === '500')) problems.push(`${where}: no 500`);
      for (const [s, r] of errors) {
        const schema = ((r.content as Record<string, Json>)['application/json'] as Json).schema as Json;
        if (schema.$ref !== '#/components/schemas/ErrorEnvelope') problems.push(`${where} ${s}: not the error envelope`);
      }
      if (!op.security) problems.push(`${where}: no security`);
    }
    expect(problems).toEqual([]);
  });

  it("each operation's example satisfies its response schema", () => {
    for (const [id, spec] of Object.entries(OPERATIONS)) {
      if (!spec.schema) continue;
      const parsed = spec.schema.safeParse(spec.example);
      expect([id, parsed.success ? 'ok' : parsed.error.message]).toEqual([id, 'ok']);
    }
  });

  it('the committed client types are what the live document generates (else: npm run api:client)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-openapi-'));
    writeFileSync(join(dir, 'doc.json'), JSON.stringify(doc));
    const root = resolve(__dirname, '..');
    const expected = execFileSync(
      process.execPath,
      ['-r', '@swc-node/register', 'scripts/api-client/generate-types.ts', '--from', join(dir, 'doc.json')],
      {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    rmSync(dir, { recursive: true, force: true });
    const committed = readFileSync(join(root, 'scripts/api-client/openapi-types.ts'), 'utf8');
    if (committed !== expected) {
      throw new Error(
        'scripts/api-client/openapi-types.ts is out of date with /docs-json: run `npm start` and `npm run api:client`, then commit it',
      );
    }
  });

  it('the typed client drives the API, and live answers fit the documented schemas', async () => {
    const operator = trailguardClient(baseUrl, { adminToken: t.adminToken });
    const created = await ok(operator.POST('/v1/tenants', { body: { name: 'openapi client' } }), 'create tenant');
    const api = trailguardClient(baseUrl, { apiKey: created.apiKey.key });
    const account = await ok(api.POST('/v1/aws-accounts', { body: { name: 'typed', polling: false } }), 'register account');
    expect(account.platformAccountId).toBe('999988887777');
    const list = await ok(api.GET('/v1/findings', { params: { query: { severity: 'high', limit: 5 } } }), 'list findings');
    const got = await ok(api.GET('/v1/aws-accounts/{id}', { params: { path: { id: account.id } } }), 'get account');
    const tenant = await ok(api.GET('/v1/tenant'), 'get tenant');
    const fit = (id: string, body: unknown) =>
      expect([id, OPERATIONS[id]!.schema!.safeParse(body).error?.message]).toEqual([id, undefined]);
    fit('TenantsController_create', created);
    fit('AwsAccountsController_create', account);
    fit('FindingsController_list', list);
    fit('AwsAccountsController_get', got);
    fit('TenantsController_get', tenant);
    const missing = await api.GET('/v1/aws-accounts/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.error.code).toBe('not_found');
  });
});
