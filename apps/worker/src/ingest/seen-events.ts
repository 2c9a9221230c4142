import { ownKey, type RedisClient } from '@trailguard/queues';

interface Identified {
  eventID?: unknown;
  eventTime?: unknown;
}

/**
 * The eventIDs a poller already queued from an account-region, kept for the overlap window: the
 * next poll re-reads that window for late events and sends on only what is new. The detection
 * pipeline de-duplicates anyway; this keeps overlapping polls from re-sending whole windows.
 */
export class SeenEvents {
  constructor(
    private readonly redis: RedisClient,
    private readonly retainMs: number,
  ) {}

  private key(accountId: string, region: string): string {
    return ownKey('ingest', 'seen', accountId, region);
  }

  async unseen<T extends Identified>(accountId: string, region: string, records: T[]): Promise<T[]> {
    const ids = records.map((r) => (typeof r.eventID === 'string' ? r.eventID : ''));
    const known = ids.some((id) => id) ? await this.redis.zmscore(this.key(accountId, region), ...ids.map((id) => id || '-')) : [];
    const seenInPage = new Set<string>();
    return records.filter((_, i) => {
      const id = ids[i]!;
      if (!id) return true;
      if (known[i] !== null && known[i] !== undefined) return false;
      if (seenInPage.has(id)) return false;
      seenInPage.add(id);
      return true;
    });
  }

  /** Call only after the records are queued: a crash before leaves them unseen, so they are sent again. */
  async mark(accountId: string, region: string, records: Identified[]): Promise<void> {
    const args: (string | number)[] = [];
    for (const r of records) {
      if (typeof r.eventID !== 'string') continue;
      const t = typeof r.eventTime === 'string' ? Date.parse(r.eventTime) : NaN;
      args.push(Number.isNaN(t) ? Date.now() : t, r.eventID);
    }
    if (args.length === 0) return;
    const key = this.key(accountId, region);
    await this.redis
      .multi()
      .zadd(key, ...args)
      .pexpire(key, this.retainMs * 4)
      .exec();
  }

  /** Forgets ids older than the retention before `horizon` (the oldest time the next poll re-reads). */
  async trim(accountId: string, region: string, horizon: Date): Promise<void> {
    await this.redis.zremrangebyscore(this.key(accountId, region), '-inf', horizon.getTime() - this.retainMs);
  }
}
