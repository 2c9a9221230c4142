import { QUEUE_PREFIX } from './jobs';

/**
 * Pub/sub channel on which an API process announces a revoked API key (the message is the key
 * id): every API process drops it from its authentication cache at once. Built here with the
 * other key names so a cluster deployment can re-tag it in one place.
 */
export function apiKeyRevocationsChannel(): string {
  return `${QUEUE_PREFIX}:api-keys:revoked`;
}
