import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { maxInAnyWindow } from '@trailguard/testing';
import { AssumedCredentialsCache } from '../credentials/assumed-credentials-cache';
import { redisFixture, type RedisFixture } from '../testing/redis-fixture.test-helper';
import { PLATFORM_ACCOUNT_ID, startSimFixture, type SimFixture } from '../testing/sim-fixture.test-helper';
import { RedisRateLimiter } from './redis-rate-limiter';

describe('RedisRateLimiter', () => {
  let fx: SimFixture;
  let redis: RedisFixture;
  beforeAll(async () => {
    fx = await startSimFixture();
    redis = redisFixture();
  });
  afterAll(async () => {
    await redis.close();
    await fx.stop();
  });

  it('grants at most the limit per window and says how long to wait', async () => {
    const limiter = new RedisRateLimiter(redis.connect(), { prefix: `${redis.prefix}unit:`, limit: 2, safetyMarginMs: 0 });
    expect(await limiter.tryAcquire('k')).toEqual({ acquired: true });
    expect(await limiter.tryAcquire('k')).toEqual({ acquired: true });
    const third = await limiter.tryAcquire('k');
    expect(third.acquired).toBe(false);
    if (!third.acquired) {
      expect(third.retryAfterMs).toBeGreaterThan(0);
      expect(third.retryAfterMs).toBeLessThanOrEqual(1000);
    }
    // Another key has its own window.
    expect(await limiter.tryAcquire('other')).toEqual({ acquired: true });
  });

  it('keeps several processes hammering one account-region within 2 requests per second at AWS', async () => {
    fx.reset();
    const { roleArn, accountId } = fx.sim.createCustomerAccount({
      accountId: '222233334444',
      trustedAccountId: PLATFORM_ACCOUNT_ID,
      externalId: 'ext-rl',
    });
    const credentials = new AssumedCredentialsCache();
    const target = { roleArn, externalId: 'ext-rl' };
    await credentials.get(target);
    const key = `${accountId}:us-east-1`;
    // Four "workers", each with its own Redis connection, limiter and SDK client.
    const workers = Array.from({ length: 4 }, () => ({
      limiter: new RedisRateLimiter(redis.connect(), { prefix: redis.prefix }),
      client: new CloudTrailClient({ region: 'us-east-1', credentials: credentials.provider(target), maxAttempts: 1 }),
    }));
    const started = Date.now();
    await Promise.all(
      workers.map(async ({ limiter, client }) => {
        for (let i = 0; i < 3; i++) {
          await limiter.acquire(key);
          await client.send(new LookupEventsCommand({ MaxResults: 1 }));
        }
      }),
    );
    const log = fx.sim.requests({ action: 'LookupEvents', accountId, since: started });
    expect(log).toHaveLength(12);
    expect(log.filter((e) => e.status !== 200)).toEqual([]);
    expect(maxInAnyWindow(log.map((e) => e.time))).toBeLessThanOrEqual(2);
    for (const w of workers) w.client.destroy();
  });
});
