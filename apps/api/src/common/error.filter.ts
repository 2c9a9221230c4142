import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { AwsIngestError } from '@trailguard/aws';
import { CloudTrailReadError } from '@trailguard/cloudtrail';
import { SigmaError } from '@trailguard/sigma';
import { WebhookError, type WebhookErrorCode } from '@trailguard/webhooks';
import { DomainError, type DomainErrorCode } from './domain-error';
import { clientAddress, FailedAuthLimiter } from './failed-auth.limiter';

interface Envelope {
  error: { code: string; message: string; details?: unknown; id?: string };
}

/** Body-parser errors carry a `type`; map them to the envelope instead of HTML. */
const BODY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.parse.failed': { status: 400, code: 'invalid_json', message: 'request body is not valid JSON' },
  'entity.too.large': { status: 413, code: 'payload_too_large', message: 'request body is larger than the limit' },
  'encoding.unsupported': { status: 415, code: 'unsupported_encoding', message: 'unsupported content encoding' },
  'charset.unsupported': { status: 415, code: 'unsupported_charset', message: 'unsupported charset' },
  'entity.too.deep': { status: 400, code: 'json_too_deep', message: 'request body nests too deeply' },
};

/** The one table from domain codes to HTTP statuses: services throw codes, never statuses. */
export const DOMAIN_STATUS: Record<DomainErrorCode, HttpStatus> = {
  validation_failed: 400,
  invalid_rule: 400,
  unknown_rule: 400,
  id_mismatch: 400,
  builtin_rule: 400,
  corrupt_gzip: 400,
  empty_body: 400,
  invalid_url: 400,
  http_not_allowed: 400,
  ssrf_blocked: 400,
  role_arn_required: 400,
  invalid_text: 400,
  invalid_json: 400,
  json_too_deep: 400,
  retention_too_long: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  rule_exists: 409,
  account_disabled: 409,
  account_not_active: 409,
  nothing_to_sync: 409,
  delivery_in_progress: 409,
  endpoint_disabled: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unsupported_encoding: 415,
  rate_limited: 429,
  platform_identity_unavailable: 503,
  template_publish_failed: 503,
  verification_inconclusive: 503,
  trail_read_failed: 503,
};

/** Coded errors thrown by the libs (not DomainError), and the status each maps to. */
const LIB_ERROR_STATUS: Record<string, number> = {
  invalid_cursor: 400,
};

/** Webhook-lib failures that are the caller's URL at fault; any other is ours (500). */
const WEBHOOK_URL_CODES = new Set<WebhookErrorCode>(['invalid_url', 'http_not_allowed', 'ssrf_blocked']);

/**
 * Postgres refuses text it cannot store (22021: a NUL byte, 22P05: an unsupported \u0000
 * escape in jsonb) or parse as the column's type (22P02: a malformed UUID): the caller's input.
 */
const PG_INPUT_ERRORS: Record<string, string> = {
  '22021': 'text contains a character that cannot be stored (such as a NUL byte)',
  '22P05': 'text contains a character that cannot be stored (such as \\u0000)',
  '22P02': 'a value is not valid for its type (such as an id that is not a UUID)',
  '22001': 'a value is longer than its field allows',
};

/** Errors of the libraries, each turned into a domain code (and so a status) in one place. */
function fromLibrary(e: unknown): DomainError | undefined {
  if (e instanceof SigmaError) {
    const where = e.line !== undefined ? ` at line ${e.line}, column ${e.column ?? 1}` : '';
    return new DomainError('invalid_rule', `${e.message}${where}`, { reason: e.code, line: e.line, column: e.column });
  }
  if (e instanceof WebhookError && WEBHOOK_URL_CODES.has(e.code)) {
    return new DomainError(e.code as DomainErrorCode, `webhook URL refused: ${e.message}`, e.details);
  }
  if (e instanceof CloudTrailReadError) {
    if (e.code === 'corrupt_gzip') return new DomainError('corrupt_gzip', 'the body is not valid gzip');
    if (e.code === 'too_large') return new DomainError('payload_too_large', 'the decompressed body is larger than the limit');
  }
  const pg = postgresCodeOf(e);
  if (pg !== undefined && PG_INPUT_ERRORS[pg]) return new DomainError('invalid_text', PG_INPUT_ERRORS[pg], { postgresCode: pg });
  return undefined;
}

/** The SQLSTATE of a Postgres error, however Prisma's driver adapter wrapped it. */
function postgresCodeOf(e: unknown): string | undefined {
  type Cause = { kind?: string; originalCode?: string; code?: string };
  const x = e as {
    meta?: { code?: string; driverAdapterError?: { cause?: Cause } };
    cause?: Cause & { cause?: Cause };
    code?: unknown;
    severity?: unknown;
  } | null;
  // node-postgres's own DatabaseError (queries sent with pg directly) carries code and severity.
  if (typeof x?.code === 'string' && typeof x.severity === 'string') return /^[0-9A-Z]{5}$/.test(x.code) ? x.code : undefined;
  const cause = x?.meta?.driverAdapterError?.cause ?? x?.cause;
  // Raw queries (P2010) carry the SQLSTATE in meta.code.
  const code = cause?.originalCode ?? cause?.code ?? x?.meta?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

/**
 * Other 4xx errors of the body parser (http-errors marks them `expose`): a Content-Encoding whose
 * data does not inflate, a stream cut short. The caller's bytes, not our fault.
 */
function unreadableBody(err: unknown): { status: number; code: string; message: string } | undefined {
  const e = err as { status?: unknown; expose?: unknown } | null;
  if (typeof e?.status !== 'number' || e.status < 400 || e.status >= 500 || e.expose !== true) return undefined;
  return { status: e.status, code: HTTP_CODES[e.status] ?? 'bad_request', message: 'request body could not be read' };
}

/** One place that turns any error into `{ error: { code, message, details } }`. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  constructor(private readonly failedAuth: FailedAuthLimiter) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const [status, body] = this.toEnvelope(exception, req);
    // Every failed authentication (API key, operator token, ingest token) ends here as a 401.
    if (status === HttpStatus.UNAUTHORIZED) this.failedAuth.recordFailure(clientAddress(req));
    // Explicit type: a route's @Header('Content-Type') is already set when a body fails to parse.
    if (!res.headersSent) res.status(status).type('application/json').json(body);
  }

  private toEnvelope(exception: unknown, req: Request): [number, Envelope] {
    const domain = exception instanceof DomainError ? exception : fromLibrary(exception);
    if (domain) {
      return [DOMAIN_STATUS[domain.code], { error: { code: domain.code, message: domain.message, details: domain.details } }];
    }
    if (exception instanceof AwsIngestError) {
      // Our own calls to AWS failing (throttled, down, our credentials): the caller may retry.
      const details = { aws: exception.code, operation: exception.operation };
      return [HttpStatus.SERVICE_UNAVAILABLE, { error: { code: 'unavailable', message: 'an AWS call failed; retry shortly', details } }];
    }
    const libCode = (exception as { code?: unknown } | null)?.code;
    if (typeof libCode === 'string' && LIB_ERROR_STATUS[libCode]) {
      const e = exception as Error & { details?: unknown };
      return [LIB_ERROR_STATUS[libCode], { error: { code: libCode, message: e.message, details: e.details } }];
    }
    const bodyError = BODY_ERRORS[(exception as { type?: string } | null)?.type ?? ''] ?? unreadableBody(exception);
    if (bodyError) {
      const details = (exception as { message?: string }).message;
      return [bodyError.status, { error: { code: bodyError.code, message: bodyError.message, details } }];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const message = status === 404 ? `no route ${req.method} ${req.path}` : exception.message;
      return [status, { error: { code: HTTP_CODES[status] ?? 'http_error', message } }];
    }
    if (isDatabaseDown(exception)) {
      return [HttpStatus.SERVICE_UNAVAILABLE, { error: { code: 'unavailable', message: 'the database is unavailable; retry shortly' } }];
    }
    const id = randomUUID();
    this.logger.error({ err: exception, errorId: id }, 'unhandled error');
    return [HttpStatus.INTERNAL_SERVER_ERROR, { error: { code: 'internal', message: 'internal error', id } }];
  }
}

/** Driver-adapter error kinds, and Postgres codes (57P01-03: shutting down, crashed, starting), that mean "not there right now". */
const DOWN_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);
const DOWN_PG_CODES = new Set(['57P01', '57P02', '57P03']);

function isDatabaseDown(e: unknown): boolean {
  // Prisma reports an unreachable server on raw queries as P2010 ("Raw query failed"): the adapter's
  // own classification, in meta, is what tells an outage from a bad query.
  const cause = (e as { meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: string; code?: string } } } } | null)?.meta
    ?.driverAdapterError?.cause;
  if (cause?.kind && DOWN_KINDS.has(cause.kind)) return true;
  if (cause?.kind === 'postgres' && DOWN_PG_CODES.has(cause.originalCode ?? cause.code ?? '')) return true;
  const text = `${(e as { code?: string })?.code ?? ''} ${(e as Error)?.message ?? ''}`;
  return /ECONNREFUSED|ECONNRESET|Connection terminated|P1001|P1017|DatabaseNotReachable|Can't reach database server|timeout exceeded when trying to connect/i.test(
    text,
  );
}
