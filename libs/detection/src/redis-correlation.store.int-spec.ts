import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { CorrelationEntry } from '@trailguard/sigma';
import { RedisCorrelationStore } from './redis-correlation.store';

describe('RedisCorrelationStore', () => {
  const redis = new Redis(process.env.TG_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2 });
  const prefix = `{trailguard}:corr-test:${randomBytes(4).toString('hex')}:`;
  const store = new RedisCorrelationStore(redis, prefix);
  const entry = (ts: number, id: string): CorrelationEntry => ({ ts, eventIds: [id], ruleId: 'base-rule' });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('keeps the window oldest first and drops what fell out of it', async () => {
    await store.append('k1', entry(1_000, 'a'), 10_000);
    await store.append('k1', entry(5_000, 'b'), 10_000);
    const kept = await store.append('k1', entry(14_000, 'c'), 10_000);
    expect(kept.map((e) => e.eventIds[0])).toEqual(['b', 'c']);
    expect(await redis.pttl(`${prefix}k1`)).toBeGreaterThan(0);
  });

  it('counts an event once when a retried batch feeds it again', async () => {
    await store.append('k2', entry(1_000, 'a'), 60_000);
    await store.append('k2', entry(2_000, 'b'), 60_000);
    const again = await store.append('k2', entry(1_000, 'a'), 60_000);
    expect(again.map((e) => e.eventIds[0])).toEqual(['a', 'b']);
  });

  it('keeps only the newest entries when given a cap', async () => {
    for (let i = 1; i <= 5; i++) await store.append('k4', entry(i * 1_000, `e${i}`), 60_000, 3);
    const kept = await store.append('k4', entry(500, 'late'), 60_000, 3);
    expect(kept.map((e) => e.eventIds[0])).toEqual(['e3', 'e4', 'e5']);
    expect(await redis.zcard(`${prefix}k4`)).toBe(3);
  });

  it('forgets a key that fired', async () => {
    await store.append('k3', entry(1_000, 'a'), 60_000);
    await store.clear('k3');
    expect(await redis.exists(`${prefix}k3`)).toBe(0);
  });
});
