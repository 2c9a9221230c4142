import { randomBytes } from 'node:crypto';
import { tenantKey, type RedisClient } from '@trailguard/queues';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

export interface HeldLock {
  /** Pushes the expiry out again; false when the lock was lost (expired and taken by another run). */
  extend(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * One ingestion run per account-region-source at a time, across processes: two runs reading the
 * same checkpoint would race to advance it. The lock expires so a crashed worker cannot hold it.
 */
export async function tryLock(redis: RedisClient, tenantId: string, name: string, ttlMs: number): Promise<HeldLock | null> {
  const key = tenantKey(tenantId, 'ingest', 'lock', name);
  const token = randomBytes(12).toString('hex');
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return null;
  return {
    extend: async () => (await redis.eval(EXTEND, 1, key, token, String(ttlMs))) === 1,
    release: async () => {
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
