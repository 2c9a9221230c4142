import { deflateSync } from 'node:zlib';
import type { Response } from 'supertest';
import { startTestApp, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';

/** The input bad, the answer a 4xx in the envelope: never a 500. */
function expect4xx(res: Response, status: number, code?: string): void {
  const detail = `${res.status} ${res.text.slice(0, 300)}`;
  expect({ status: res.status, detail }).toEqual({ status, detail });
  expect(res.body.error).toEqual(expect.objectContaining({ code: code ?? expect.any(String), message: expect.any(String) }));
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('errors belong in the filter: bad input answers 4xx, never 500', () => {
  let t: TestApp;
  let s: TenantSession;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000', PLATFORM_AWS_ACCOUNT_ID: '999988887777' });
    s = await TenantSession.create(t);
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(() => t.close());

  it('NUL bytes in names, comments and filters', async () => {
    expect4xx(await t.http.post('/v1/api-keys').set(s.auth()).send({ name: 'a\u0000b', role: 'viewer' }), 400, 'invalid_text');
    expect4xx(await t.http.post('/v1/aws-accounts').set(s.auth()).send({ name: 'acct\u0000', polling: false }), 400, 'invalid_text');
    expect4xx(
      await t.http.post('/v1/allowlist').set(s.auth()).send({ principalPattern: 'arn:aws:iam::*:role/x\u0000', reason: 'r' }),
      400,
      'invalid_text',
    );
    expect4xx(await t.http.get('/v1/findings?actor=a%00b').set(s.auth()), 400, 'invalid_text');
    expect4xx(await t.http.get('/v1/findings?ruleId=a%00b').set(s.auth()), 400, 'invalid_text');
    // Nothing half-made: the key list holds only the session's own key.
    const keys = await t.http.get('/v1/api-keys').set(s.auth()).expect(200);
    expect(keys.body.data.some((k: { name: string }) => k.name.includes('\u0000'))).toBe(false);
  });

  it('a cursor whose id is not a UUID', async () => {
    const cursor = b64([new Date().toISOString(), 'not-a-uuid']);
    for (const path of ['/v1/api-keys', '/v1/aws-accounts', '/v1/allowlist', '/v1/webhooks', '/v1/findings']) {
      expect4xx(await t.http.get(`${path}?cursor=${cursor}`).set(s.auth()), 400, 'invalid_cursor');
    }
  });

  it('the public template route with a bad bucket or prefix', async () => {
    const externalId = `tg-${'a'.repeat(32)}`;
    for (const bucket of ['UPPER', 'a', 'has space', `x${'y'.repeat(70)}`, 'bad_bucket!']) {
      expect4xx(
        await t.http.get(`/v1/aws-accounts/template?externalId=${externalId}&s3Bucket=${encodeURIComponent(bucket)}`),
        400,
        'validation_failed',
      );
    }
    expect4xx(
      await t.http.get(`/v1/aws-accounts/template?externalId=${externalId}&s3Bucket=good-bucket&s3Prefix=a%20b`),
      400,
      'validation_failed',
    );
    await t.http.get(`/v1/aws-accounts/template?externalId=${externalId}&s3Bucket=good-bucket`).expect(200);
  });

  it('a JSON body with Content-Encoding: deflate and junk', async () => {
    // fetch sends the bytes as they are (supertest would re-serialise a Buffer as JSON).
    const post = (body: Buffer) =>
      fetch(`${base}/v1/api-keys`, {
        method: 'POST',
        headers: { ...s.auth(), 'Content-Type': 'application/json', 'Content-Encoding': 'deflate' },
        body,
      });
    const bad = await post(Buffer.from('this is not deflate at all'));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    // Genuine deflate is still read.
    const ok = await post(deflateSync(JSON.stringify({ name: 'deflated', role: 'viewer' })));
    expect(ok.status).toBe(201);
  });

  it('a rule the engine refuses keeps its invalid_rule answer with position (mapped in the filter)', async () => {
    const res = await t.http
      .post('/v1/rules/test')
      .set(s.auth())
      .send({ yaml: 'title: x\ndetection: [unclosed\n', events: [{}] });
    expect4xx(res, 400, 'invalid_rule');
    expect(res.body.error.details).toMatchObject({ reason: 'yaml_syntax', line: expect.any(Number) });
  });
});
