import { Counter, Histogram, register } from 'prom-client';
import type { AttemptReport, DeliveryOutcome } from '@trailguard/webhooks';

// A process may build the worker module more than once (tests restart it): define each metric once.
function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const deliveriesTotal = once(
  'trailguard_webhook_deliveries_total',
  () =>
    new Counter({
      name: 'trailguard_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome (succeeded, retry, failed, endpoint_disabled, skipped)',
      labelNames: ['outcome'] as const,
    }),
);

export const attemptDuration = once(
  'trailguard_webhook_attempt_duration_seconds',
  () =>
    new Histogram({
      name: 'trailguard_webhook_attempt_duration_seconds',
      help: 'Duration of one webhook HTTP attempt, connect to response',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    }),
);

/** What the sweep did for an overdue pending delivery (queued: its job was gone; retried: it had failed). */
export const sweepRequeued = once(
  'trailguard_webhook_sweep_requeued_total',
  () =>
    new Counter({
      name: 'trailguard_webhook_sweep_requeued_total',
      help: 'Overdue pending webhook deliveries the sweep gave a job again, by how (queued, retried)',
      labelNames: ['how'] as const,
    }),
);

export function countOutcome(outcome: DeliveryOutcome): void {
  deliveriesTotal.inc({ outcome });
}

/** The metrics of a set of attempts: outcomes recorded and HTTP durations. */
export function observeAttempts(reports: readonly AttemptReport[]): void {
  for (const r of reports) {
    if (r.outcome) countOutcome(r.outcome);
    if (r.result) attemptDuration.observe(r.result.latencyMs / 1000);
  }
}
