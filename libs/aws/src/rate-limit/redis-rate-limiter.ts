import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@trailguard/queues';
import type { LookupEventsGate } from '../clients/customer-aws-clients';

/**
 * Sliding-window log: admit iff fewer than `limit` admissions in (now - window, now]. Time is
 * Redis's own clock so every worker process judges against the same one.
 */
const SLIDING_WINDOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + window - now
if wait < 1 then wait = 1 end
return wait
`;

interface WithSlidingWindow {
  trailguardSlidingWindow(key: string, limit: number, windowMs: number, member: string): Promise<number>;
}

export interface RedisRateLimiterOptions {
  /** Admissions per window. Default 2 (CloudTrail LookupEvents per account per region). */
  limit?: number;
  windowMs?: number;
  /**
   * Added to the window: the time between a slot being granted and AWS receiving the request
   * varies, and without slack two requests a window apart here can land closer together there.
   * Default 150 ms (2 requests per 1.15 s).
   */
  safetyMarginMs?: number;
  /** Key prefix, e.g. "trailguard:" (a hash tag keeps every key of one limiter key on one slot). */
  prefix?: string;
}

export class RateLimitWaitAborted extends Error {
  readonly code = 'rate_limit_wait_aborted';
}

/** A rate limiter shared by all worker processes through Redis. */
export class RedisRateLimiter implements LookupEventsGate {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly prefix: string;
  private readonly clientId = randomBytes(6).toString('hex');
  private counter = 0;
  /** Total time spent waiting for slots, in ms (for metrics). */
  waitedMs = 0;

  constructor(
    private readonly redis: RedisClient,
    options: RedisRateLimiterOptions = {},
  ) {
    this.limit = options.limit ?? 2;
    this.windowMs = (options.windowMs ?? 1000) + (options.safetyMarginMs ?? 150);
    this.prefix = options.prefix ?? 'trailguard:';
    if (!Number.isInteger(this.limit) || this.limit < 1) throw new Error('limit must be a positive integer');
    if (typeof (redis as unknown as Partial<WithSlidingWindow>).trailguardSlidingWindow !== 'function') {
      redis.defineCommand('trailguardSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_LUA });
    }
  }

  private redisKey(key: string): string {
    return `${this.prefix}rl:{${key}}`;
  }

  /** Takes a slot if one is free now; otherwise returns how many ms until one may be. */
  async tryAcquire(key: string): Promise<{ acquired: true } | { acquired: false; retryAfterMs: number }> {
    const member = `${this.clientId}:${++this.counter}`;
    const wait = await (this.redis as unknown as WithSlidingWindow).trailguardSlidingWindow(
      this.redisKey(key),
      this.limit,
      this.windowMs,
      member,
    );
    return wait === 0 ? { acquired: true } : { acquired: false, retryAfterMs: Number(wait) };
  }

  /** Waits until a slot of `key` is free and takes it. */
  async acquire(key: string, signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    for (;;) {
      if (signal?.aborted) throw new RateLimitWaitAborted('rate limiter wait aborted');
      const result = await this.tryAcquire(key);
      if (result.acquired) {
        this.waitedMs += Date.now() - started;
        return;
      }
      // A little jitter so waiters across processes do not all come back on the same millisecond.
      await new Promise((resolve) => setTimeout(resolve, result.retryAfterMs + Math.floor(Math.random() * 5)));
    }
  }
}
