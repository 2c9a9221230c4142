import { tenantKey, type RedisClient } from '@trailguard/queues';
import type { CorrelationEntry, CorrelationStore } from '@trailguard/sigma';

// Adds an entry (member = JSON, score = event time), trims what fell out of the window behind
// the newest time seen, keeps the newest ARGV[4] entries when it is positive, refreshes expiry,
// returns the rest oldest first. One round trip, atomic.
const APPEND = `
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
local newest = tonumber(redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (newest - tonumber(ARGV[3])))
local cap = tonumber(ARGV[4])
if cap > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(cap + 1)) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('ZRANGE', KEYS[1], 0, -1)
`;

/** Correlation state shared by every worker process, per tenant. */
export class RedisCorrelationStore implements CorrelationStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async append(key: string, entry: CorrelationEntry, windowMs: number, maxEntries?: number): Promise<CorrelationEntry[]> {
    const members = (await this.redis.eval(
      APPEND,
      1,
      `${this.prefix}${key}`,
      String(entry.ts),
      JSON.stringify(entry),
      String(Math.max(1, windowMs)),
      String(maxEntries ?? 0),
    )) as string[];
    return members.map((m) => JSON.parse(m) as CorrelationEntry);
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(`${this.prefix}${key}`);
  }
}

/** A tenant's correlation windows carry the tenant in their hash tag: tenants spread over a cluster. */
export function correlationPrefix(tenantId: string): string {
  return tenantKey(tenantId, 'corr', '');
}
