/**
 * Every failure this lib raises carries a stable `code` so the API's exception filter and the
 * delivery log can react to it without parsing messages.
 */
export type WebhookErrorCode =
  | 'invalid_secret'
  | 'invalid_message_id'
  | 'invalid_signing_input'
  | 'secret_key_invalid'
  | 'secret_format_invalid'
  | 'secret_unknown_key'
  | 'secret_decrypt_failed'
  | 'invalid_url'
  | 'http_not_allowed'
  | 'ssrf_blocked'
  | 'invalid_retry_schedule'
  | 'unknown_event_type';

export class WebhookError extends Error {
  constructor(
    readonly code: WebhookErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

/** Raised at URL-check time and from the dispatcher's DNS lookup; `range` names why. */
export class SsrfBlockedError extends WebhookError {
  constructor(
    readonly address: string,
    readonly range: string,
    readonly hostname?: string,
  ) {
    super(
      'ssrf_blocked',
      hostname && hostname !== address
        ? `${hostname} resolves to ${address} (${range}), which webhooks may not reach`
        : `${address} (${range}) is not a permitted webhook target`,
      { address, range, ...(hostname ? { hostname } : {}) },
    );
    this.name = 'SsrfBlockedError';
  }
}

export function isWebhookError(err: unknown): err is WebhookError {
  return err instanceof WebhookError;
}
