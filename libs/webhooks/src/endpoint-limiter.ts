/** A saturated endpoint none of whose sends finished for this long is a slow receiver. */
const SLOW_MS = 2_000;

/**
 * At most `limit` sends in flight per endpoint in this process, whatever job they belong to:
 * a slow receiver ties up its own slots, not everyone's. Waiters are served in arrival order.
 */
export class EndpointLimiter {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();
  /** When a send of the endpoint last finished (or, before any did, when the first started). */
  private readonly progress = new Map<string, number>();

  constructor(
    readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether the endpoint uses every slot, has sends queued behind them, and none of its sends
   * finished lately: more work for it would only wait here (and hold a worker slot meanwhile).
   */
  congested(endpointId: string): boolean {
    const queued = this.waiting.get(endpointId)?.length ?? 0;
    const since = this.progress.get(endpointId);
    return (this.running.get(endpointId) ?? 0) >= this.limit && queued > 0 && since !== undefined && this.now() - since > SLOW_MS;
  }

  async run<T>(endpointId: string, work: () => Promise<T>): Promise<T> {
    if ((this.running.get(endpointId) ?? 0) >= this.limit) {
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(endpointId) ?? [];
        queue.push(resolve);
        this.waiting.set(endpointId, queue);
      });
    } else {
      this.running.set(endpointId, (this.running.get(endpointId) ?? 0) + 1);
      if (!this.progress.has(endpointId)) this.progress.set(endpointId, this.now());
    }
    try {
      return await work();
    } finally {
      this.progress.set(endpointId, this.now());
      const next = this.waiting.get(endpointId)?.shift();
      if (next)
        next(); // the slot passes straight to the next waiter
      else {
        const n = (this.running.get(endpointId) ?? 1) - 1;
        if (n > 0) this.running.set(endpointId, n);
        else {
          this.running.delete(endpointId);
          this.progress.delete(endpointId);
        }
        this.waiting.delete(endpointId);
      }
    }
  }

  /** Sends in flight for the endpoint (for tests and metrics). */
  inFlight(endpointId: string): number {
    return this.running.get(endpointId) ?? 0;
  }
}
