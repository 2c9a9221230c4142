import type { NextFunction, Request, Response } from 'express';
import { DomainError, type DomainErrorCode } from '../../common/domain-error';

/** Upload bodies read as bytes: the global JSON parser skips the upload route (see isUploadRoute). */
export const RAW_UPLOAD_TYPES = [
  'application/json',
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/gzip',
  'application/x-gzip',
];

const UPLOAD_PATH = /^\/v1\/aws-accounts\/[^/]+\/events\/?$/;

/** POST /v1/aws-accounts/:id/events: its body is read once, from bytes, by the upload reader. */
export function isUploadRoute(req: Request): boolean {
  return req.method === 'POST' && UPLOAD_PATH.test(req.path);
}

/**
 * Reads the body of raw upload types as bytes, unchanged: gzip (as a type or a Content-Encoding)
 * is unpacked later with a bound on the decompressed size.
 */
export function rawUploadBody(limit: number) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if ((req as { _body?: boolean })._body || !req.is(RAW_UPLOAD_TYPES)) return next();
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity' && encoding !== 'gzip') {
      return next(new DomainError('unsupported_encoding', `content encoding ${encoding} is not supported; use gzip or none`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (code: DomainErrorCode, message: string) => {
      if (done) return;
      done = true;
      req.unpipe?.();
      req.resume();
      next(new DomainError(code, message));
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail('payload_too_large', `request body is larger than ${limit} bytes`);
      if (!done) chunks.push(chunk);
    });
    req.on('error', (err) => fail('bad_request', `request body could not be read: ${err.message}`));
    req.on('end', () => {
      if (done) return;
      done = true;
      req.body = Buffer.concat(chunks);
      (req as { _body?: boolean })._body = true;
      next();
    });
  };
}
