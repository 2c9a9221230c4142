import type { Severity, WebhookEndpoint } from '@trailguard/db';

const SEVERITY_RANK: Record<Severity, number> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };

function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && Object.hasOwn(SEVERITY_RANK, value);
}

/** Event types whose `data.severity` the endpoint's minimum severity applies to. */
const SEVERITY_FILTERED = new Set(['finding.created', 'finding.updated']);

/**
 * Whether an endpoint wants an event. The event type is already filtered by the query; this
 * applies the minimum severity to finding events. A finding event without a known severity is
 * delivered: a filter should never silently drop an alert it cannot judge.
 */
export function wantsEvent(endpoint: Pick<WebhookEndpoint, 'minSeverity' | 'eventTypes'>, type: string, data: unknown): boolean {
  if (endpoint.eventTypes.length > 0 && !endpoint.eventTypes.includes(type)) return false;
  if (!SEVERITY_FILTERED.has(type)) return true;
  const severity = (data as { severity?: unknown } | null)?.severity;
  if (!isSeverity(severity)) return true;
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[endpoint.minSeverity];
}
