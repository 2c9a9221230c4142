import { BACKOFF_CAP_MS, cappedExponentialDelay } from './backoff';
import { JOB_OPTIONS } from './job-options';

describe('capped exponential backoff', () => {
  it('doubles from the base delay and never exceeds five minutes', () => {
    const top = () => 1; // the upper end of the jitter
    expect([1, 2, 3, 4].map((n) => cappedExponentialDelay(n, 1000, top))).toEqual([1000, 2000, 4000, 8000]);
    expect(cappedExponentialDelay(10, 1000, top)).toBe(BACKOFF_CAP_MS);
    expect(cappedExponentialDelay(40, 1000, top)).toBe(BACKOFF_CAP_MS);
  });

  it('jitters each delay within its upper fifth', () => {
    expect(cappedExponentialDelay(3, 1000, () => 0)).toBe(3200);
    for (let i = 0; i < 100; i++) {
      const d = cappedExponentialDelay(20, 1000);
      expect(d).toBeGreaterThanOrEqual(0.8 * BACKOFF_CAP_MS);
      expect(d).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    }
  });

  it.each(['detect.batch', 'webhooks.fanout'] as const)('keeps a %s job retrying through an outage of more than an hour', (name) => {
    const { attempts, backoff } = JOB_OPTIONS[name];
    const base = typeof backoff === 'object' ? (backoff.delay ?? 0) : 0;
    let shortest = 0;
    for (let n = 1; n < attempts!; n++) shortest += cappedExponentialDelay(n, base, () => 0);
    expect(shortest).toBeGreaterThan(60 * 60_000);
  });
});
