import { describeEvent, type AlertDescription } from './alert-description';
import type { WebhookEventType } from './webhook-payload';

export type PagerDutyAction = 'trigger' | 'acknowledge' | 'resolve';
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** Trailguard severity -> PagerDuty's four (informational and low both page as `info`). */
export const PAGERDUTY_SEVERITY: Record<string, PagerDutySeverity> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  informational: 'info',
};

/**
 * Finding status -> event action: a finding's whole life reaches one incident. Resolved, false
 * positive and suppressed all close it; reopening triggers it again.
 */
export const PAGERDUTY_ACTION: Record<string, PagerDutyAction> = {
  open: 'trigger',
  acknowledged: 'acknowledge',
  resolved: 'resolve',
  false_positive: 'resolve',
  suppressed: 'resolve',
};

/** Events API v2 limits: summary 1024 characters, dedup_key 255. */
const MAX_SUMMARY = 1024;

/**
 * The routing key of a `pagerduty` endpoint: its URL's fragment, e.g.
 * `https://events.pagerduty.com/v2/enqueue#R0123456789ABCDEF0123456789ABCDE`. A fragment is never
 * sent in the request line (only in the body, where the API wants it), and keeps the endpoint
 * one URL like the other formats.
 */
export function pagerdutyRoutingKey(url: string): string | null {
  let key: string;
  try {
    key = decodeURIComponent(new URL(url).hash.slice(1).replace(/^routing_key=/, ''));
  } catch {
    return null; // not a URL, or a malformed %-escape
  }
  return /^[A-Za-z0-9_-]{1,64}$/.test(key) ? key : null;
}

/** Incident key of a finding: its updates and resolution reach the incident its alert opened. */
export function pagerdutyDedupKey(d: Pick<AlertDescription, 'findingId' | 'accountId' | 'type'>): string {
  if (d.findingId) return `trailguard:finding:${d.findingId}`;
  return `trailguard:${d.type}:${d.accountId ?? 'unknown'}`;
}

function actionOf(d: AlertDescription): PagerDutyAction {
  if (d.type === 'account.status_changed' || d.type === 'posture.changed') return d.healthy ? 'resolve' : 'trigger';
  return PAGERDUTY_ACTION[d.status ?? 'open'] ?? 'trigger';
}

function summaryOf(d: AlertDescription): string {
  const severity = d.severity ? `[${d.severity.toUpperCase()}] ` : '';
  const others = d.findings.slice(1);
  const more = others.length > 0 ? ` (+${others.length} more: ${others.map((f) => f.title).join('; ')})` : '';
  const line = `${severity}${d.title}: ${d.summary}${more}`;
  return line.length > MAX_SUMMARY ? `${line.slice(0, MAX_SUMMARY - 1)}…` : line;
}

/**
 * A PagerDuty Events API v2 body for one domain event, as the exact JSON string to send to
 * `https://events.pagerduty.com/v2/enqueue`. Acknowledge and resolve carry only the key and action,
 * as the API defines them; a trigger carries the payload, with every finding of the alert group
 * in `custom_details.findings`.
 */
export function pagerdutyBodyFor(
  type: WebhookEventType,
  data: Record<string, unknown>,
  opts: { routingKey: string; timestamp: Date },
): string {
  const d = describeEvent(type, data);
  const action = actionOf(d);
  const base = { routing_key: opts.routingKey, event_action: action, dedup_key: pagerdutyDedupKey(d) };
  if (action !== 'trigger') return JSON.stringify(base);
  return JSON.stringify({
    ...base,
    payload: {
      summary: summaryOf(d),
      source: d.fields['Actor'] ?? d.title,
      severity: PAGERDUTY_SEVERITY[d.severity ?? ''] ?? (type === 'account.status_changed' ? 'error' : 'warning'),
      timestamp: opts.timestamp.toISOString(),
      component: d.fields['Region'] ?? 'aws',
      group: d.accountId ?? 'trailguard',
      class: type,
      custom_details: { event: d.label, ...d.fields, ...(d.findings.length > 0 ? { findings: d.findings } : {}) },
    },
    client: 'Trailguard',
  });
}
