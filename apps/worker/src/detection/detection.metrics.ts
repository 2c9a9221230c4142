import { Counter, register } from 'prom-client';

function counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return (register.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames });
}

export const eventsEvaluated = counter('trailguard_events_evaluated_total', 'CloudTrail events evaluated against the rules');
export const eventsDuplicate = counter('trailguard_events_duplicate_total', 'Events skipped as already evaluated (same eventID)');
export const ruleMatches = counter('trailguard_rule_matches_total', 'Rule matches by built-in rule id ("custom" for every tenant rule)', [
  'rule_id',
]);
export const findingsCreated = counter('trailguard_findings_created_total', 'Findings created', ['severity']);
export const findingsSuppressed = counter('trailguard_findings_suppressed_total', 'Findings created suppressed by the allowlist');
// Same metric as the API's upload refusals (apps/api ingest-metrics): whichever loads first defines it.
export const eventsRefused = counter(
  'trailguard_events_refused_total',
  'Events not evaluated because their eventTime is outside the de-duplication window (too_old) or ahead of the clock (in_future)',
  ['reason'],
);
