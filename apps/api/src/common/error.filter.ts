import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { DomainError } from './domain-error';

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

/** Coded errors thrown by the libs (not DomainError), and the status each maps to. */
const LIB_ERROR_STATUS: Record<string, number> = {
  invalid_cursor: 400,
};

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

/** Express error middleware for failures before Nest routing (body parsing). */
export function bodyErrorHandler(err: unknown, _req: Request, res: Response, next: (e?: unknown) => void): void {
  const known = BODY_ERRORS[(err as { type?: string } | null)?.type ?? ''];
  if (!known) return next(err);
  res.status(known.status).json({ error: { code: known.code, message: known.message, details: (err as Error).message } });
}

/** One place that turns any error into `{ error: { code, message, details } }`. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    const [status, body] = this.toEnvelope(exception, req);
    if (!res.headersSent) res.status(status).json(body);
  }

  private toEnvelope(exception: unknown, req: Request): [number, Envelope] {
    if (exception instanceof DomainError) {
      return [exception.status, { error: { code: exception.code, message: exception.message, details: exception.details } }];
    }
    const libCode = (exception as { code?: unknown } | null)?.code;
    if (typeof libCode === 'string' && LIB_ERROR_STATUS[libCode]) {
      const e = exception as Error & { details?: unknown };
      return [LIB_ERROR_STATUS[libCode], { error: { code: libCode, message: e.message, details: e.details } }];
    }
    const bodyError = BODY_ERRORS[(exception as { type?: string } | null)?.type ?? ''];
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
  return /ECONNREFUSED|ECONNRESET|Connection terminated|P1001|P1017|DatabaseNotReachable|Can't reach database server|timeout exceeded when trying to connect/i.test(text);
}
