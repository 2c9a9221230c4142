import { Redis } from 'ioredis';
import { claimRedisTestDb } from './support/redis-test-db';
import { testEnv } from './support/test-env';

/** The run's own logical database (test/global-setup.ts) on the server this run uses. */
describe('a test run claims a Redis database of its own', () => {
  const server = new URL(testEnv().redisUrl);
  const dbOf = (url: string) => Number(new URL(url).pathname.slice(1));
  server.pathname = '/';

  it('never shares a database with a live run, never touches other data, and leaves its database empty', async () => {
    const first = await claimRedisTestDb(server.toString(), 'spec first');
    const second = await claimRedisTestDb(server.toString(), 'spec second');
    expect(dbOf(first.url)).not.toBe(dbOf(second.url));
    expect(dbOf(testEnv().redisUrl)).not.toBe(dbOf(first.url));

    const other = new Redis(first.url);
    try {
      await other.set('some-job', 'work');
      await first.release();
      expect(await other.dbsize()).toBe(0);

      // A database holding someone else's data (no marker of ours) is passed over.
      await other.set('not-ours', 'keep');
      const third = await claimRedisTestDb(server.toString(), 'spec third');
      expect(dbOf(third.url)).not.toBe(dbOf(first.url));
      expect(await other.get('not-ours')).toBe('keep');
      await third.release();
    } finally {
      await other.flushdb();
      other.disconnect();
      await second.release();
    }
  });
});
