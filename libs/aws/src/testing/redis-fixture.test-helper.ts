// Test-only: Redis connections with a key prefix of their own, cleaned up afterwards.
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

export interface RedisFixture {
  prefix: string;
  connect(): Redis;
  close(): Promise<void>;
}

export function redisFixture(): RedisFixture {
  const url = process.env.TG_TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `tg-aws-test:${randomBytes(4).toString('hex')}:`;
  const connections: Redis[] = [];
  return {
    prefix,
    connect() {
      const r = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
      connections.push(r);
      return r;
    },
    async close() {
      const first = connections[0];
      if (first) {
        const keys = await first.keys(`${prefix}*`);
        if (keys.length) await first.del(...keys);
      }
      await Promise.all(connections.map((c) => c.quit()));
    },
  };
}
