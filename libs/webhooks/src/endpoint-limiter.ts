/**
 * At most `limit` sends in flight per endpoint in this process, whatever job they belong to:
 * a slow receiver ties up its own slots, not everyone's. Waiters are served in arrival order.
 */
export class EndpointLimiter {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(readonly limit: number) {}

  /** Whether the endpoint already uses every slot and others are queued behind it. */
  saturated(endpointId: string): boolean {
    return (this.running.get(endpointId) ?? 0) >= this.limit && (this.waiting.get(endpointId)?.length ?? 0) > 0;
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
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.get(endpointId)?.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else {
        const n = (this.running.get(endpointId) ?? 1) - 1;
        if (n > 0) this.running.set(endpointId, n);
        else this.running.delete(endpointId);
        this.waiting.delete(endpointId);
      }
    }
  }
}
