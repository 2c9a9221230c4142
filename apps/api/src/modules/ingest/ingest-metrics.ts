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
