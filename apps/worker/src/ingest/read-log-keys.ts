import { ownKey, type RedisClient } from '@trailguard/queues';

/**
 * The trail log files already read from an account-region, remembered for the look-back window:
 * the S3 reader lists a little before its last key (late files can sort earlier) and skips these.
 */
export class ReadLogKeys {
  constructor(
    private readonly redis: RedisClient,
    private readonly retainMs: number,
  ) {}

  private key(accountId: string, region: string): string {
    return ownKey('ingest', 's3-read', accountId, region);
  }

  async filter(accountId: string, region: string, keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const scores = await this.redis.zmscore(this.key(accountId, region), ...keys);
    return new Set(keys.filter((_, i) => scores[i] !== null && scores[i] !== undefined));
  }

  /** After the file's records are queued: a crash before leaves it unread, so it is read again. */
  async mark(accountId: string, region: string, objectKey: string): Promise<void> {
    const key = this.key(accountId, region);
    const now = Date.now();
    await this.redis
      .multi()
      .zadd(key, now, objectKey)
      .zremrangebyscore(key, '-inf', now - this.retainMs)
      .pexpire(key, this.retainMs)
      .exec();
  }
}
