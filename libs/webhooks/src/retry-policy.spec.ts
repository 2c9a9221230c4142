import fc from 'fast-check';
import { parseRetryAfter } from './retry-after';
import { DEFAULT_RETRY_SCHEDULE, nextAttempt, parseRetrySchedule, scheduleSpanSeconds, shouldAutoDisable } from './retry-policy';
import { WebhookError } from './webhooks.errors';

const now = new Date('2026-11-29T12:00:00Z');
const failed500 = { ok: false, status: 500, errorCode: 'http_error' as const };
const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe('parseRetrySchedule', () => {
  it('reads comma-separated seconds, tolerating spaces', () => {
    expect(parseRetrySchedule('5, 300 ,1800')).toEqual([5, 300, 1800]);
    expect(parseRetrySchedule('60')).toEqual([60]);
  });

  it.each([
    ['', /empty/],
    ['5,,30', /item 2 \(""\)/],
    ['5,abc,30', /item 2 \("abc"\)/],
    ['5,30,1.5', /item 3 \("1\.5"\)/],
    ['-5', /item 1 \("-5"\)/],
    ['0', /item 1 \("0"\)/],
    ['5,9999999', /item 2 \("9999999"\)/],
  ])('refuses %j naming the bad item', (text, message) => {
    let caught: unknown;
    try {
      parseRetrySchedule(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WebhookError);
    expect((caught as WebhookError).code).toBe('invalid_retry_schedule');
    expect((caught as WebhookError).message).toMatch(message);
  });
});

describe('DEFAULT_RETRY_SCHEDULE', () => {
  it('is the Standard Webhooks example: 10 attempts over about three days', () => {
    expect(DEFAULT_RETRY_SCHEDULE).toHaveLength(9);
    const hours = scheduleSpanSeconds() / 3600;
    expect(hours).toBeGreaterThan(72);
    expect(hours).toBeLessThan(80);
    expect(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE.join(','))).toEqual([...DEFAULT_RETRY_SCHEDULE]);
  });
});

describe('nextAttempt', () => {
  it('reports success for a 2xx', () => {
    expect(nextAttempt({ attempt: 3, outcome: { ok: true, status: 204 }, now })).toEqual({ action: 'succeeded' });
  });

  it('disables the endpoint on 410 Gone, whatever the attempt number', () => {
    expect(nextAttempt({ attempt: 1, outcome: { ok: false, status: 410 }, now })).toEqual({
      action: 'disable_endpoint',
      reason: 'gone',
    });
  });

  it('schedules the next retry from the schedule, with jitter at both extremes', () => {
    const schedule = [10, 100];
    const low = nextAttempt({ attempt: 2, outcome: failed500, schedule, now, random: () => 0 });
    const mid = nextAttempt({ attempt: 2, outcome: failed500, schedule, now, random: () => 0.5 });
    const high = nextAttempt({ attempt: 2, outcome: failed500, schedule, now, random: () => 0.999999 });
    expect(low).toEqual({ action: 'retry', delayMs: 80_000, at: new Date(now.getTime() + 80_000) });
    expect(mid).toEqual({ action: 'retry', delayMs: 100_000, at: new Date(now.getTime() + 100_000) });
    expect(high.action === 'retry' && high.delayMs).toBe(120_000);
  });

  it('keeps every jittered delay within +/-20% of the schedule (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const decision = nextAttempt({ attempt, outcome: failed500, now, random: () => r });
        const base = (DEFAULT_RETRY_SCHEDULE[attempt - 1] as number) * 1000;
        return decision.action === 'retry' && decision.delayMs >= base * 0.8 - 1 && decision.delayMs <= base * 1.2 + 1;
      }),
    );
  });

  it('gives up after the last scheduled retry', () => {
    expect(nextAttempt({ attempt: 10, outcome: failed500, now })).toEqual({
      action: 'failed',
      reason: 'attempts_exhausted',
    });
    expect(nextAttempt({ attempt: 9, outcome: failed500, now }).action).toBe('retry');
    expect(nextAttempt({ attempt: 3, outcome: failed500, schedule: [1, 2], now }).action).toBe('failed');
  });

  it('uses Retry-After as a floor on the delay, capped at 24 hours', () => {
    const rateLimited = { ok: false, status: 429, errorCode: 'http_error' as const };
    const longer = nextAttempt({
      attempt: 1,
      outcome: { ...rateLimited, retryAfterSeconds: 120 },
      now,
      random: () => 0.5,
    });
    expect(longer).toMatchObject({ action: 'retry', delayMs: 120_000 });
    const shorter = nextAttempt({
      attempt: 4,
      outcome: { ...rateLimited, retryAfterSeconds: 1 },
      now,
      random: () => 0.5,
    });
    expect(shorter).toMatchObject({ action: 'retry', delayMs: 2 * HOUR });
    const huge = nextAttempt({ attempt: 1, outcome: { ...rateLimited, retryAfterSeconds: 30 * 86400 }, now });
    expect(huge).toMatchObject({ action: 'retry', delayMs: DAY });
  });

  it('does not retry configuration errors that sending again cannot fix', () => {
    expect(nextAttempt({ attempt: 1, outcome: { ok: false, errorCode: 'http_not_allowed' }, now })).toEqual({
      action: 'failed',
      reason: 'not_retryable',
    });
    // SSRF refusals are retried: the name may resolve elsewhere later, and auto-disable catches the rest.
    expect(nextAttempt({ attempt: 1, outcome: { ok: false, errorCode: 'ssrf_blocked' }, now }).action).toBe('retry');
  });
});

describe('shouldAutoDisable', () => {
  const since = (ms: number): Date => new Date(now.getTime() - ms);

  it('disables after five days of failures without a success', () => {
    expect(shouldAutoDisable({ firstFailureAt: since(5 * DAY), lastSuccessAt: since(6 * DAY), now })).toBe(true);
    expect(shouldAutoDisable({ firstFailureAt: since(5 * DAY + 1), lastSuccessAt: null, now })).toBe(true);
  });

  it('waits while the failure run is younger than the threshold', () => {
    expect(shouldAutoDisable({ firstFailureAt: since(5 * DAY - 1000), lastSuccessAt: null, now })).toBe(false);
    expect(shouldAutoDisable({ firstFailureAt: since(2 * DAY), lastSuccessAt: null, now, days: 1 })).toBe(true);
  });

  it('never disables a healthy endpoint or one that recovered', () => {
    expect(shouldAutoDisable({ firstFailureAt: null, lastSuccessAt: since(30 * DAY), now })).toBe(false);
    expect(shouldAutoDisable({ firstFailureAt: since(9 * DAY), lastSuccessAt: since(1 * DAY), now })).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(['30', '60'], now)).toBe(30);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Sun, 29 Nov 2026 12:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Sun, 29 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it.each([undefined, '', 'soon', '1.5', '-3'])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
