import { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';

const logger = new Logger('Redis');

/**
 * An ioredis client that reports connection errors instead of crashing on them: ioredis emits
 * `error` while it reconnects, and an unheard `error` event would end the process.
 */
export function redisClient(urlOrOptions: string | RedisOptions, options: RedisOptions = {}): Redis {
  const redis = typeof urlOrOptions === 'string' ? new Redis(urlOrOptions, options) : new Redis({ ...urlOrOptions, ...options });
  let last = 0;
  redis.on('error', (error: Error) => {
    // One line per 10 s at most: a down Redis errors on every reconnect attempt.
    if (Date.now() - last < 10_000) return;
    last = Date.now();
    logger.warn(`connection problem (retrying): ${error.message}`);
  });
  return redis;
}
