import { Client } from 'pg';
import { startTestApp, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';
import { testEnv } from './support/test-env';

/**
 * API keys are cached in each API process for a few seconds (no database look-up per request);
 * a revocation made through one process must take effect in every other one at once, through
 * Redis pub/sub, not when the other's cached copy expires.
 */
describe('API key cache across API processes', () => {
  let one: TestApp;
  let two: TestApp;
  let s: TenantSession;
  const owner = new Client({ connectionString: testEnv().ownerUrl });

  beforeAll(async () => {
    [one, two] = await Promise.all([startTestApp(), startTestApp()]);
    s = await TenantSession.create(one);
    await owner.connect();
  });
  afterAll(async () => {
    await owner.end();
    await Promise.all([one.close(), two.close()]);
  });

  it('a second process serves a known key from its cache, without asking the database', async () => {
    const { id, key } = await s.key('viewer');
    await two.http.get('/v1/tenant').set(s.auth(key)).expect(200);
    // Revoked behind the API's back (no announcement): the cached copy still answers, which
    // shows the request did not look the key up.
    await owner.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [id]);
    await two.http.get('/v1/tenant').set(s.auth(key)).expect(200);
    // A revocation through the API announces it: now refused everywhere.
    await one.http.delete(`/v1/api-keys/${id}`).set(s.auth()).expect(200);
    const refused = await two.http.get('/v1/tenant').set(s.auth(key)).expect(401);
    expect(refused.body.error.code).toBe('unauthorized');
  });

  it('a key revoked through one process is refused by the other on the next request', async () => {
    const { id, key } = await s.key('analyst');
    await Promise.all([one, two].map((t) => t.http.get('/v1/findings?limit=1').set(s.auth(key)).expect(200)));
    const revoked = await one.http.delete(`/v1/api-keys/${id}`).set(s.auth()).expect(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    // No waiting: the announcement is published before the revoke call answers, and the other
    // process handles it before the next request (pub/sub delivery is a few hundred µs here; the
    // request below goes through HTTP, auth and Redis first). Retried briefly only against
    // message-delivery jitter, never anywhere near the cache's 30 s lifetime.
    const started = Date.now();
    let status = 0;
    while (Date.now() - started < 1_000) {
      status = (await two.http.get('/v1/findings?limit=1').set(s.auth(key))).status;
      if (status === 401) break;
    }
    expect(status).toBe(401);
    await one.http.get('/v1/findings?limit=1').set(s.auth(key)).expect(401);
    // Other keys of the tenant are untouched.
    await two.http.get('/v1/findings?limit=1').set(s.auth()).expect(200);
  });

  it('does not cache unknown keys, and a new key works at once in every process', async () => {
    await two.http.get('/v1/tenant').set('Authorization', 'Bearer tg_unknown_key_unknown_key').expect(401);
    const { key } = await s.key('viewer');
    await two.http.get('/v1/tenant').set(s.auth(key)).expect(200);
  });
});
