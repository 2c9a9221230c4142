import { Counter, register } from 'prom-client';

// Same metric as the workers'; the all-in-one server loads both, so define it once.
const NAME = 'trailguard_events_ingested_total';

export function countIngested(path: 'eventbridge' | 'upload', count: number): void {
  if (count <= 0) return;
  const counter =
    (register.getSingleMetric(NAME) as Counter<string> | undefined) ??
    new Counter({ name: NAME, help: 'CloudTrail records queued for detection, by ingestion path', labelNames: ['path'] });
  counter.inc({ path }, count);
}

const REFUSED = 'trailguard_events_refused_total';

/** Records refused for their eventTime (outside the de-duplication window); the workers count theirs in the same metric. */
export function countRefused(reason: 'too_old' | 'in_future', count: number): void {
  if (count <= 0) return;
  const counter =
    (register.getSingleMetric(REFUSED) as Counter<string> | undefined) ??
    new Counter({
      name: REFUSED,
      help: 'Events not evaluated because their eventTime is outside the de-duplication window (too_old) or ahead of the clock (in_future)',
      labelNames: ['reason'],
    });
  counter.inc({ reason }, count);
}
