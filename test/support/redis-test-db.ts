import { Redis } from 'ioredis';

const LOCK = 'trailguard-test:lock';
const OWNED = 'trailguard-test:owned';
/** Longer than any run; a run that dies without its teardown frees the database after this. */
const LOCK_SECONDS = 3 * 60 * 60;

/**
 * Claims database `db` atomically: free (no live lock) and either empty or left by an earlier
 * run (marked as ours), then emptied, marked and locked. Anything else's data is never touched.
 */
const CLAIM_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('DBSIZE') > 0 and redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('FLUSHDB')
redis.call('SET', KEYS[2], '1')
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1`;

export interface RedisTestDb {
  url: string;
  release(): Promise<void>;
}

/**
 * A logical Redis database of this test run's own on a shared server (REDIS_URL). Queue names
 * and every other key are fixed, so runs side by side, a leftover process or jobs left behind
 * by an earlier run would otherwise take each other's work. Databases 1-15 are tried in turn.
 */
export async function claimRedisTestDb(serverUrl: string, owner: string): Promise<RedisTestDb> {
  for (let db = 1; db < 16; db++) {
    const redis = new Redis(serverUrl, { db, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    const claimed = (await redis.eval(CLAIM_LUA, 2, LOCK, OWNED, owner, LOCK_SECONDS)) === 1;
    if (!claimed) {
      redis.disconnect();
      continue;
    }
    const url = new URL(serverUrl);
    url.pathname = `/${db}`;
    return {
      url: url.toString(),
      release: async () => {
        await redis.flushdb();
        await redis.quit();
      },
    };
  }
  throw new Error(`no free Redis database at ${serverUrl} for this test run: databases 1-15 are locked or hold other data`);
}
