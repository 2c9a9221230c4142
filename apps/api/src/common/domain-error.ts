/**
 * Every code the API's own errors may carry. A closed union: the exception filter's status table
 * (error.filter.ts) must name each one, so a new code cannot ship without its HTTP status.
 */
export type DomainErrorCode =
  // 400
  | 'validation_failed'
  | 'invalid_rule'
  | 'unknown_rule'
  | 'id_mismatch'
  | 'builtin_rule'
  | 'corrupt_gzip'
  | 'empty_body'
  | 'invalid_url'
  | 'http_not_allowed'
  | 'ssrf_blocked'
  | 'role_arn_required'
  | 'invalid_text'
  | 'invalid_json'
  | 'json_too_deep'
  | 'retention_too_long'
  | 'bad_request'
  // 401, 403, 404
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  // 409
  | 'rule_exists'
  | 'account_disabled'
  | 'account_not_active'
  | 'nothing_to_sync'
  | 'delivery_in_progress'
  | 'endpoint_disabled'
  // 413, 415, 429
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unsupported_encoding'
  | 'rate_limited'
  // 503: a dependency of ours failed; the caller may retry
  | 'platform_identity_unavailable'
  | 'template_publish_failed'
  | 'verification_inconclusive'
  | 'trail_read_failed';

export type ErrorDetails = Readonly<Record<string, unknown>> | readonly unknown[];

/**
 * An error the API reports to the caller: a stable code, a message, and optional details. It
 * knows nothing of HTTP: the exception filter maps the code to a status.
 */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string, id: string): DomainError => new DomainError('not_found', `${what} ${id} not found`);
