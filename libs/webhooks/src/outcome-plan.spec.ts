import { planOutcome } from './outcome-plan';

const now = new Date('2026-11-29T12:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 24 * 3600 * 1000);
const retry = { action: 'retry' as const, at: new Date(now.getTime() + 5000), delayMs: 5000 };

describe('planOutcome', () => {
  it('a success ends the delivery', () => {
    expect(planOutcome({ endpointEnabled: true, failingSince: daysAgo(9) }, { action: 'succeeded' }, now)).toEqual({
      outcome: 'succeeded',
      status: 'succeeded',
      nextAttemptAt: null,
    });
  });

  it('a retry keeps the delivery pending until the next attempt time', () => {
    expect(planOutcome({ endpointEnabled: true, failingSince: null }, retry, now)).toEqual({
      outcome: 'retry',
      status: 'pending',
      nextAttemptAt: retry.at,
    });
  });

  it('exhausted attempts fail the delivery but leave a recently failing endpoint enabled', () => {
    const plan = planOutcome({ endpointEnabled: true, failingSince: daysAgo(3) }, { action: 'failed', reason: 'attempts_exhausted' }, now);
    expect(plan).toEqual({ outcome: 'failed', status: 'failed', nextAttemptAt: null });
  });

  it('410 disables the endpoint and fails the delivery', () => {
    const plan = planOutcome({ endpointEnabled: true, failingSince: null }, { action: 'disable_endpoint', reason: 'gone' }, now);
    expect(plan).toMatchObject({ outcome: 'endpoint_disabled', status: 'failed', nextAttemptAt: null });
    expect(plan.disableReason).toMatch(/410/);
  });

  it.each([retry, { action: 'failed' as const, reason: 'not_retryable' as const }])(
    'a failure after 5 days of failing auto-disables the endpoint and stops retrying (%p)',
    (decision) => {
      const plan = planOutcome({ endpointEnabled: true, failingSince: daysAgo(5.1) }, decision, now);
      expect(plan).toMatchObject({ outcome: 'endpoint_disabled', status: 'failed', nextAttemptAt: null });
      expect(plan.disableReason).toContain(daysAgo(5.1).toISOString());
    },
  );

  it('does not auto-disable an endpoint that is already disabled, or one failing for less than 5 days', () => {
    expect(planOutcome({ endpointEnabled: false, failingSince: daysAgo(30) }, retry, now).outcome).toBe('retry');
    expect(planOutcome({ endpointEnabled: true, failingSince: daysAgo(4.9) }, retry, now).outcome).toBe('retry');
  });

  it('a first failure starts the run now, so it never auto-disables', () => {
    expect(planOutcome({ endpointEnabled: true, failingSince: null }, retry, now).disableReason).toBeUndefined();
  });
});
