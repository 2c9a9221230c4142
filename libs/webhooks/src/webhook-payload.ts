import { WebhookError } from './webhooks.errors';

export const WEBHOOK_EVENT_TYPES = ['finding.created', 'finding.updated', 'account.status_changed', 'posture.changed'] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * The exact body string to sign and send: `{"type","timestamp","data"}` in that order, minified.
 * Store this string with the delivery so retries and replays send the same bytes.
 */
export function buildWebhookBody(type: WebhookEventType, data: Record<string, unknown>, timestamp: Date | string): string {
  if (!isWebhookEventType(type)) {
    throw new WebhookError('unknown_event_type', `unknown webhook event type "${String(type)}"`);
  }
  const at = typeof timestamp === 'string' ? new Date(timestamp) : timestamp;
  if (Number.isNaN(at.getTime())) {
    throw new WebhookError('invalid_signing_input', 'event timestamp is not a valid date');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new WebhookError('invalid_signing_input', 'event data must be a JSON object');
  }
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}
