import { randomBytes } from 'node:crypto';
import { WebhookError } from './webhooks.errors';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

// Standard Webhooks: symmetric secrets are random, at least 24 bytes and at most 64.
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A new endpoint signing secret: `whsec_` + base64 of `bytes` random bytes (default 32). */
export function generateWebhookSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new WebhookError('invalid_secret', `secret length must be ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes, got ${bytes}`);
  }
  return WEBHOOK_SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/**
 * The HMAC key behind a `whsec_` secret. Strict on purpose: Node's base64 decoder silently skips
 * junk, which would turn a mangled secret into a different key instead of an error.
 */
export function decodeWebhookSecret(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new WebhookError('invalid_secret', `webhook secrets start with "${WEBHOOK_SECRET_PREFIX}"`);
  }
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) {
    throw new WebhookError('invalid_secret', 'webhook secret is not valid base64 after the prefix');
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new WebhookError(
      'invalid_secret',
      `webhook secret must decode to ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes, got ${key.length}`,
    );
  }
  return key;
}
