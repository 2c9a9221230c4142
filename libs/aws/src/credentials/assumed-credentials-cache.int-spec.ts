import { inspect } from 'node:util';
import { AwsIngestError } from '../aws.errors';
import { getPlatformAccountId } from '../clients/platform-identity';
import { PLATFORM_ACCOUNT_ID, startSimFixture, type SimFixture } from '../testing/sim-fixture.test-helper';
import { AssumedCredentialsCache } from './assumed-credentials-cache';

describe('AssumedCredentialsCache against the simulator', () => {
  let fx: SimFixture;
  let roleArn: string;
  beforeAll(async () => {
    fx = await startSimFixture();
  });
  afterAll(() => fx.stop());
  beforeEach(() => {
    fx.reset();
    roleArn = fx.sim.createCustomerAccount({
      accountId: '111122223333',
      trustedAccountId: PLATFORM_ACCOUNT_ID,
      externalId: 'ext-1',
    }).roleArn;
  });
  const assumeCalls = () => fx.sim.requests({ action: 'AssumeRole' }).length;

  it('shares one in-flight AssumeRole between concurrent callers and caches the result', async () => {
    const cache = new AssumedCredentialsCache();
    const results = await Promise.all(Array.from({ length: 8 }, () => cache.get({ roleArn, externalId: 'ext-1' })));
    expect(new Set(results.map((c) => c.accessKeyId)).size).toBe(1);
    expect(results[0]!.accessKeyId).toMatch(/^ASIA/);
    await cache.get({ roleArn, externalId: 'ext-1' });
    expect(assumeCalls()).toBe(1);
    expect(cache.assumeRoleCalls).toBe(1);
  });

  it('refreshes credentials once they are inside the refresh margin', async () => {
    fx.sim.setCredentialLifetime(3);
    const cache = new AssumedCredentialsCache({ refreshMarginMs: 2500 });
    const first = await cache.get({ roleArn, externalId: 'ext-1' });
    await new Promise((r) => setTimeout(r, 700));
    const second = await cache.get({ roleArn, externalId: 'ext-1' });
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(assumeCalls()).toBe(2);
  });

  it('keys the cache by ExternalId and reports a wrong one as access_denied', async () => {
    const cache = new AssumedCredentialsCache();
    const err = await cache.get({ roleArn, externalId: 'wrong' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsIngestError);
    expect(err).toMatchObject({ code: 'access_denied', operation: 'sts:AssumeRole', awsCode: 'AccessDenied' });
    // A failure is not cached: the next caller tries again.
    await expect(cache.get({ roleArn, externalId: 'wrong' })).rejects.toMatchObject({ code: 'access_denied' });
    expect(assumeCalls()).toBe(2);
  });

  it('never serialises or prints the secrets', async () => {
    const cache = new AssumedCredentialsCache();
    const creds = await cache.get({ roleArn, externalId: 'ext-1' });
    const text = JSON.stringify({ creds, cache }) + inspect(creds) + inspect(cache) + String(creds);
    expect(text).not.toContain(creds.secretAccessKey);
    expect(text).not.toContain(creds.sessionToken);
    expect(text).toContain('[REDACTED]');
  });

  it('finds the platform account from GetCallerIdentity unless PLATFORM_AWS_ACCOUNT_ID is set', async () => {
    expect(await getPlatformAccountId()).toBe(PLATFORM_ACCOUNT_ID);
    expect(await getPlatformAccountId({ env: { PLATFORM_AWS_ACCOUNT_ID: '123456789012' } })).toBe('123456789012');
    expect(fx.sim.requests({ action: 'GetCallerIdentity' })).toHaveLength(1);
  });
});
