import type { BackoffStrategy } from 'bullmq';

/** BullMQ backoff type of jobs that must outlast an outage: exponential, capped, jittered. */
export const CAPPED_EXPONENTIAL = 'capped-exponential';
export const BACKOFF_CAP_MS = 5 * 60_000;

/** base, 2 x base, 4 x base ... never above 5 minutes; each delay drawn from its upper fifth down. */
export function cappedExponentialDelay(attemptsMade: number, baseMs: number, random: () => number = Math.random): number {
  const full = Math.min(BACKOFF_CAP_MS, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(full * (0.8 + 0.2 * random()));
}

/** The workers' `settings.backoffStrategy`: BullMQ calls it for every backoff type it does not know. */
export const backoffStrategy: BackoffStrategy = (attemptsMade, type, _err, job) => {
  if (type !== CAPPED_EXPONENTIAL) throw new Error(`unknown backoff type ${type}`);
  const backoff = job?.opts.backoff;
  const base = typeof backoff === 'number' ? backoff : (backoff?.delay ?? 1000);
  return cappedExponentialDelay(attemptsMade, base);
};
