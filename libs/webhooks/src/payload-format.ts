import { pagerdutyBodyFor, pagerdutyRoutingKey } from './pagerduty-message';
import { slackBodyFor } from './slack-message';
import { teamsBodyFor } from './teams-message';
import { buildWebhookBody, type WebhookEventType } from './webhook-payload';

export type PayloadFormat = 'standard' | 'slack' | 'pagerduty' | 'teams';

export interface BodyEvent {
  type: WebhookEventType;
  data: Record<string, unknown>;
  /** The domain event's own time: a re-run builds the same bytes. */
  at: Date;
}

/**
 * Endpoints whose bodies are the same bytes share one build: per format, and per routing key for
 * PagerDuty (the key is part of the body).
 */
export function bodyVariant(format: PayloadFormat, url: string): string {
  return format === 'pagerduty' ? `pagerduty#${pagerdutyRoutingKey(url) ?? ''}` : format;
}

/**
 * The API refuses a pagerduty endpoint without a key; should one exist anyway, its body has an
 * empty key and PagerDuty's 400 fails that delivery alone instead of the fan-out of every endpoint.
 */
const routingKeyOf = (url: string): string => pagerdutyRoutingKey(url) ?? '';

/** The exact body an endpoint of this format and URL gets for a domain event. */
export function formatBody(format: PayloadFormat, url: string, e: BodyEvent): string {
  switch (format) {
    case 'standard':
      return buildWebhookBody(e.type, e.data, e.at);
    case 'slack':
      return slackBodyFor(e.type, e.data);
    case 'teams':
      return teamsBodyFor(e.type, e.data);
    case 'pagerduty':
      return pagerdutyBodyFor(e.type, e.data, { routingKey: routingKeyOf(url), timestamp: e.at });
  }
}

/** The body of `POST /v1/webhooks/:id/test`, in the endpoint's format. */
export function testBody(format: PayloadFormat, url: string, endpointId: string, at: Date): string {
  const message = 'Test message from Trailguard';
  switch (format) {
    case 'standard':
      return JSON.stringify({ type: 'webhook.test', timestamp: at.toISOString(), data: { endpointId, message } });
    case 'slack':
      return JSON.stringify({ text: message });
    case 'teams':
      return JSON.stringify({
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            contentUrl: null,
            content: { type: 'AdaptiveCard', version: '1.4', body: [{ type: 'TextBlock', text: message, wrap: true }] },
          },
        ],
      });
    case 'pagerduty':
      // PagerDuty has no test event: an info-severity trigger with its own key, which the
      // operator resolves (sending the test again re-triggers the same incident, not a new one).
      return JSON.stringify({
        routing_key: routingKeyOf(url),
        event_action: 'trigger',
        dedup_key: `trailguard:test:${endpointId}`,
        payload: { summary: message, source: 'trailguard', severity: 'info', timestamp: at.toISOString() },
        client: 'Trailguard',
      });
  }
}
