import { EndpointLimiter } from './endpoint-limiter';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('EndpointLimiter', () => {
  it('keeps at most `limit` sends in flight per endpoint and serves waiters in order', async () => {
    const limiter = new EndpointLimiter(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limiter.run('slow', async () => {
        started.push(i);
        await g.promise;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(limiter.inFlight('slow')).toBe(2);
    gates[1]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    await Promise.all(runs);
    expect(started).toEqual([0, 1, 2, 3]);
    expect(limiter.inFlight('slow')).toBe(0);
  });

  it('does not let one endpoint hold up another', async () => {
    const limiter = new EndpointLimiter(1);
    const stuck = deferred();
    const slow = [limiter.run('slow', () => stuck.promise), limiter.run('slow', () => stuck.promise)];
    await expect(limiter.run('fast', async () => 'done')).resolves.toBe('done');
    stuck.resolve();
    await Promise.all(slow);
  });

  it('calls an endpoint congested only when saturated, queued behind, and without progress for a while', async () => {
    let now = 0;
    const limiter = new EndpointLimiter(1, () => now);
    const stuck = deferred();
    const first = limiter.run('e', () => stuck.promise);
    expect(limiter.congested('e')).toBe(false); // saturated, nobody waiting
    const second = limiter.run('e', async () => undefined);
    await tick();
    expect(limiter.congested('e')).toBe(false); // waiting, but the send is young
    now = 2_500;
    expect(limiter.congested('e')).toBe(true);
    stuck.resolve();
    await Promise.all([first, second]);
    expect(limiter.congested('e')).toBe(false);
  });

  it('passes errors through and frees the slot', async () => {
    const limiter = new EndpointLimiter(1);
    await expect(
      limiter.run('e', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(limiter.run('e', async () => 1)).resolves.toBe(1);
    expect(limiter.inFlight('e')).toBe(0);
  });
});
