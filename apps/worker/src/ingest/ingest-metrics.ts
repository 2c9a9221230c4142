import { Counter, Gauge, register } from 'prom-client';
import type { IngestPath } from '@trailguard/queues';

// The API and the workers share one registry in the all-in-one server: define each metric once.
function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  return (register.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames });
}

function gauge(name: string, help: string, labelNames: string[]): Gauge<string> {
  return (register.getSingleMetric(name) as Gauge<string> | undefined) ?? new Gauge({ name, help, labelNames });
}

const eventsIngested = () =>
  counter('trailguard_events_ingested_total', 'CloudTrail records queued for detection, by ingestion path', ['path']);
const pollErrors = () => counter('trailguard_poll_errors_total', 'Failed ingestion runs (polling, S3, posture) by error code', ['code']);
/** Labelled by region only (bounded): the most stale account of each region. */
const pollLag = () =>
  gauge('trailguard_poll_lag_seconds', 'Seconds since the most stale active account-region was last polled successfully', ['region']);

export const ingestMetrics = {
  ingested(path: IngestPath, count: number): void {
    if (count > 0) eventsIngested().inc({ path }, count);
  },
  error(code: string): void {
    pollErrors().inc({ code });
  },
  lag(region: string, seconds: number): void {
    pollLag().set({ region }, seconds);
  },
};
