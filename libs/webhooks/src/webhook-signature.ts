import { createHmac, randomBytes } from 'node:crypto';
import { decodeWebhookSecret } from './webhook-secret';
import { WebhookError } from './webhooks.errors';

// A type alias (not an interface) so it is assignable to Record<string, string> as sendWebhook wants.
export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

export interface SignPayloadInput {
  /** Stable across retries: receivers use it as their idempotency key. */
  msgId: string;
  /** The attempt time (changes on every retry), as a Date or unix seconds. */
  timestamp: Date | number;
  /** Exactly the string that goes on the wire; never re-serialise after signing. */
  body: string;
  /** Every active `whsec_` secret: during rotation the new and the old one both sign. */
  secrets: readonly string[];
}

// Message ids are part of the signed string `id.timestamp.body`; a "." in one would let a caller
// shift bytes between fields, so the spec forbids it. We also keep ids header-safe.
const MESSAGE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** A fresh message id (`msg_` + 128 random bits) for a new event. */
export function generateMessageId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}

/** Unix seconds, as Standard Webhooks wants in `webhook-timestamp`. */
export function toUnixSeconds(timestamp: Date | number): number {
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp;
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new WebhookError('invalid_signing_input', `timestamp must be whole unix seconds, got ${String(timestamp)}`);
  }
  return seconds;
}

/** One `v1,<base64>` signature: HMAC-SHA256 over `${msgId}.${timestamp}.${body}`. */
export function computeSignature(secret: string, msgId: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', decodeWebhookSecret(secret));
  mac.update(`${msgId}.${timestamp}.`, 'utf8');
  mac.update(body, 'utf8');
  return `v1,${mac.digest('base64')}`;
}

/** The three Standard Webhooks headers for one delivery attempt. */
export function signPayload(input: SignPayloadInput): WebhookHeaders {
  if (!MESSAGE_ID.test(input.msgId)) {
    throw new WebhookError('invalid_message_id', `message id must match ${MESSAGE_ID.source}`);
  }
  if (typeof input.body !== 'string') {
    throw new WebhookError('invalid_signing_input', 'body must be the serialised string that will be sent');
  }
  if (input.secrets.length === 0) {
    throw new WebhookError('invalid_signing_input', 'at least one secret is needed to sign');
  }
  const timestamp = toUnixSeconds(input.timestamp);
  const signatures = [...new Set(input.secrets)].map((secret) => computeSignature(secret, input.msgId, timestamp, input.body));
  return {
    'webhook-id': input.msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  };
}
