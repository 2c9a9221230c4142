/**
 * State for correlation rules. One list per key (the engine uses `<correlation id>|<group key>`),
 * holding base-rule matches ordered by event time. Every operation is async so the workers can
 * keep it in Redis: a sorted set per key scored by `ts` (ZADD, ZREMRANGEBYSCORE below
 * `ts - windowMs`, ZRANGE, PEXPIRE windowMs) implements `append` in one MULTI or Lua call.
 */
export interface CorrelationEntry {
  /** Event time, epoch milliseconds. */
  readonly ts: number;
  /** The base events behind the entry (one for a rule match, several for a chained correlation). */
  readonly eventIds: readonly string[];
  readonly ruleId: string;
  /** value_count: the counted field value (JSON text for tuples). */
  readonly value?: string;
}

export interface CorrelationStore {
  /**
   * Adds `entry` under `key`, drops entries older than `entry.ts - windowMs` (relative to the newest
   * time seen for the key), keeps at most `maxEntries` of the newest when it is given, and returns
   * the remaining entries, oldest first.
   */
  append(key: string, entry: CorrelationEntry, windowMs: number, maxEntries?: number): Promise<CorrelationEntry[]>;
  /** Forgets a key, after its correlation fired, so the next alert needs a fresh window. */
  clear(key: string): Promise<void>;
}

interface Bucket {
  entries: CorrelationEntry[];
  newest: number;
  windowMs: number;
}

export class InMemoryCorrelationStore implements CorrelationStore {
  private readonly buckets = new Map<string, Bucket>();
  private appendsSinceSweep = 0;

  constructor(private readonly sweepEvery = 10_000) {}

  async append(key: string, entry: CorrelationEntry, windowMs: number, maxEntries?: number): Promise<CorrelationEntry[]> {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { entries: [], newest: entry.ts, windowMs };
      this.buckets.set(key, bucket);
    }
    bucket.newest = Math.max(bucket.newest, entry.ts);
    bucket.windowMs = windowMs;
    const entries = bucket.entries;
    // Keep the list sorted by time; events mostly arrive in order, so this is usually a push.
    let i = entries.length;
    while (i > 0 && entries[i - 1]!.ts > entry.ts) i--;
    // An entry seen before (the same event read twice, a batch fed again) counts once, as in Redis.
    let seen = false;
    for (let j = i - 1; j >= 0 && entries[j]!.ts === entry.ts && !seen; j--) seen = sameEntry(entries[j]!, entry);
    if (!seen) entries.splice(i, 0, entry);
    const cutoff = bucket.newest - windowMs;
    let drop = 0;
    while (drop < entries.length && entries[drop]!.ts < cutoff) drop++;
    if (maxEntries !== undefined) drop = Math.max(drop, entries.length - maxEntries);
    if (drop > 0) entries.splice(0, drop);
    if (++this.appendsSinceSweep >= this.sweepEvery) this.sweep(bucket.newest);
    return entries.slice();
  }

  async clear(key: string): Promise<void> {
    this.buckets.delete(key);
  }

  /** Number of live keys (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Expiry: keys whose newest entry is older than their window relative to `now` go away. */
  private sweep(now: number): void {
    this.appendsSinceSweep = 0;
    for (const [key, b] of this.buckets) if (b.newest < now - b.windowMs) this.buckets.delete(key);
  }
}

function sameEntry(a: CorrelationEntry, b: CorrelationEntry): boolean {
  return (
    a.ruleId === b.ruleId &&
    a.value === b.value &&
    a.eventIds.length === b.eventIds.length &&
    a.eventIds.every((id, k) => id === b.eventIds[k])
  );
}
