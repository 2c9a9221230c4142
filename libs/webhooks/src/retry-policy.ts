import type { SendResult } from './webhook-sender';
import { WebhookError } from './webhooks.errors';

/**
 * Delays in seconds before retry 1, 2, ... (the first attempt is immediate). This is the example
 * schedule of the Standard Webhooks spec: 10 attempts over about 75.6 hours, i.e. a receiver can
 * be down for a long weekend without losing events.
 */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze([
  5,
  5 * 60,
  30 * 60,
  2 * 3600,
  5 * 3600,
  10 * 3600,
  14 * 3600,
  20 * 3600,
  24 * 3600,
]);

/** A Retry-After beyond this is treated as this: a receiver cannot park a delivery for weeks. */
export const MAX_RETRY_AFTER_SECONDS = 24 * 3600;
const MAX_SCHEDULE_ITEM_SECONDS = 7 * 24 * 3600;
const MAX_SCHEDULE_ITEMS = 50;

export type RetryDecision =
  | { action: 'succeeded' }
  | { action: 'retry'; at: Date; delayMs: number }
  | { action: 'failed'; reason: 'attempts_exhausted' | 'not_retryable' }
  | { action: 'disable_endpoint'; reason: 'gone' };

export interface NextAttemptInput {
  /** 1-based number of the attempt that just finished. */
  attempt: number;
  outcome: Pick<SendResult, 'ok' | 'status' | 'retryAfterSeconds' | 'errorCode'>;
  schedule?: readonly number[];
  now?: Date;
  /** Uniform [0, 1); injectable so tests are deterministic. */
  random?: () => number;
  /** Each delay is spread by +/- this fraction so failing endpoints are not retried in lockstep. */
  jitter?: number;
}

/** WEBHOOK_RETRY_SCHEDULE: comma-separated whole seconds, e.g. "5,300,1800". */
export function parseRetrySchedule(text: string): number[] {
  const items = text.split(',').map((item) => item.trim());
  if (items.length === 1 && items[0] === '') {
    throw new WebhookError('invalid_retry_schedule', 'retry schedule is empty');
  }
  if (items.length > MAX_SCHEDULE_ITEMS) {
    throw new WebhookError('invalid_retry_schedule', `retry schedule has more than ${MAX_SCHEDULE_ITEMS} items`);
  }
  return items.map((item, index) => {
    const seconds = /^\d+$/.test(item) ? Number(item) : NaN;
    if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_SCHEDULE_ITEM_SECONDS) {
      throw new WebhookError(
        'invalid_retry_schedule',
        `retry schedule item ${index + 1} ("${item}") must be whole seconds from 1 to ${MAX_SCHEDULE_ITEM_SECONDS}`,
        { index, item },
      );
    }
    return seconds;
  });
}

// Sending again cannot fix these; the endpoint's configuration has to change first.
const NOT_RETRYABLE = new Set<SendResult['errorCode']>(['invalid_url', 'http_not_allowed']);

/**
 * What to do after an attempt. Standard Webhooks: 2xx succeeds, 410 Gone means the receiver
 * wants no more (disable the endpoint), everything else is retried on the schedule, with
 * Retry-After (429/503) honoured as a floor on the delay.
 */
export function nextAttempt(input: NextAttemptInput): RetryDecision {
  const { attempt, outcome } = input;
  if (outcome.ok) return { action: 'succeeded' };
  if (outcome.status === 410) return { action: 'disable_endpoint', reason: 'gone' };
  if (NOT_RETRYABLE.has(outcome.errorCode)) return { action: 'failed', reason: 'not_retryable' };

  const schedule = input.schedule ?? DEFAULT_RETRY_SCHEDULE;
  const baseSeconds = schedule[attempt - 1];
  if (!Number.isInteger(attempt) || attempt < 1 || baseSeconds === undefined) {
    return { action: 'failed', reason: 'attempts_exhausted' };
  }
  const jitter = input.jitter ?? 0.2;
  const random = input.random ?? Math.random;
  const spread = 1 + (random() * 2 - 1) * jitter;
  let delayMs = Math.round(baseSeconds * 1000 * spread);
  if (outcome.retryAfterSeconds !== undefined) {
    const retryAfterMs = Math.min(outcome.retryAfterSeconds, MAX_RETRY_AFTER_SECONDS) * 1000;
    delayMs = Math.max(delayMs, retryAfterMs);
  }
  const now = input.now ?? new Date();
  return { action: 'retry', at: new Date(now.getTime() + delayMs), delayMs };
}

export interface AutoDisableInput {
  /** Start of the current run of failures; null when the last delivery succeeded. */
  firstFailureAt: Date | null;
  lastSuccessAt: Date | null;
  now?: Date;
  days?: number;
}

/** True once an endpoint has failed without a single success for `days` (default 5). */
export function shouldAutoDisable(input: AutoDisableInput): boolean {
  const { firstFailureAt, lastSuccessAt } = input;
  if (firstFailureAt === null) return false;
  if (lastSuccessAt !== null && lastSuccessAt.getTime() >= firstFailureAt.getTime()) return false;
  const now = (input.now ?? new Date()).getTime();
  return now - firstFailureAt.getTime() >= (input.days ?? 5) * 24 * 3600 * 1000;
}

/** Total time from the first attempt to the last one, without jitter. */
export function scheduleSpanSeconds(schedule: readonly number[] = DEFAULT_RETRY_SCHEDULE): number {
  return schedule.reduce((sum, s) => sum + s, 0);
}
