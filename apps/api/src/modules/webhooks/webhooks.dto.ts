import { z } from 'zod';
import type { WebhookDeliveryWithAttempts, WebhookEndpoint, WebhookSecret } from '@trailguard/db';
import { WEBHOOK_EVENT_TYPES } from '@trailguard/webhooks';
import { pageQuery } from '../../common/zod-body';

const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
const MAX_GRACE_SECONDS = 7 * 24 * 3600;
export const DEFAULT_GRACE_SECONDS = 24 * 3600;

/**
 * `standard`: the `{type, timestamp, data}` event; `slack`: a Block Kit message for a Slack incoming
 * webhook; `pagerduty`: a PagerDuty Events API v2 event (the URL's fragment is the routing key);
 * `teams`: an Adaptive Card message for a Microsoft Teams incoming webhook or Workflows trigger.
 * All signed (only `standard` receivers verify).
 */
const payloadFormat = z.enum(['standard', 'slack', 'pagerduty', 'teams']).default('standard');

const eventTypes = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .max(WEBHOOK_EVENT_TYPES.length)
  .transform((types) => [...new Set(types)]);

export const createWebhookBody = z.strictObject({
  url: z.string().trim().min(1).max(2048),
  description: z.string().trim().max(500).optional(),
  /** Empty or absent: every event type. */
  eventTypes: eventTypes.optional(),
  /** Applies to finding events only. */
  minSeverity: z.enum(SEVERITIES).default('informational'),
  payloadFormat,
});
export type CreateWebhookBody = z.infer<typeof createWebhookBody>;

export const updateWebhookBody = z
  .strictObject({
    url: z.string().trim().min(1).max(2048).optional(),
    description: z.string().trim().max(500).nullable().optional(),
    eventTypes: eventTypes.optional(),
    minSeverity: z.enum(SEVERITIES).optional(),
    payloadFormat: payloadFormat.unwrap().optional(),
    enabled: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' });
export type UpdateWebhookBody = z.infer<typeof updateWebhookBody>;

export const rotateSecretBody = z.strictObject({
  /** How long the previous secret keeps signing; default 24 h. */
  graceSeconds: z.number().int().min(0).max(MAX_GRACE_SECONDS).optional(),
});
export type RotateSecretBody = z.infer<typeof rotateSecretBody>;

export const deliveriesQuery = pageQuery.extend({ status: z.enum(['pending', 'succeeded', 'failed']).optional() });
export type DeliveriesQuery = z.infer<typeof deliveriesQuery>;

/** Secrets appear by id and validity only; their value is shown once, on creation or rotation. */
export function toWebhookView(e: WebhookEndpoint & { secrets?: WebhookSecret[] }) {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes,
    minSeverity: e.minSeverity,
    payloadFormat: e.payloadFormat,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    failingSince: e.failingSince,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    ...(e.secrets ? { secrets: e.secrets.map((s) => ({ id: s.id, createdAt: s.createdAt, expiresAt: s.expiresAt })) } : {}),
  };
}

export function toDeliveryView(d: WebhookDeliveryWithAttempts) {
  return {
    id: d.id,
    endpointId: d.endpointId,
    messageId: d.messageId,
    eventType: d.eventType,
    status: d.status,
    attemptCount: d.attemptCount,
    nextAttemptAt: d.nextAttemptAt,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    payload: redactRoutingKey(parseBody(d.body)),
    attempts: d.attempts.map((a) => ({
      attempt: a.attempt,
      at: a.createdAt,
      statusCode: a.statusCode,
      latencyMs: a.latencyMs,
      responseSnippet: a.responseSnippet,
      error: a.error,
    })),
  };
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

/** A PagerDuty body carries the integration's routing key: the delivery log shows its end only. */
function redactRoutingKey(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null || !('routing_key' in payload)) return payload;
  const key = String((payload as { routing_key: unknown }).routing_key);
  return { ...payload, routing_key: `…${key.slice(-4)}` };
}
