import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import { json, text } from 'express';
import type { Observable } from 'rxjs';
import { isUploadRoute, rawUploadBody } from '../modules/ingest/raw-body.middleware';
import { refuseDeepJson } from './json-depth';
import { RUNTIME, type Runtime } from './runtime';

export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

const run = (parser: RequestHandler, req: Request, res: Response): Promise<void> =>
  new Promise((resolve, reject) => parser(req, res, (err?: unknown) => (err ? reject(err) : resolve())));

/**
 * Reads and parses request bodies after the guards ran, not as middleware before them: an
 * unauthenticated, unauthorised or rate-limited caller costs no body read, inflate or JSON parse.
 * Interceptors run after guards and before parameter decorators, which is where bodies are
 * first needed. Parser failures (too large, not JSON, bad encoding) reach the exception filter.
 */
@Injectable()
export class BodyAfterAuthInterceptor implements NestInterceptor {
  private readonly parsers: RequestHandler[];

  constructor(@Inject(RUNTIME) runtime: Runtime) {
    const limit = runtime.config.MAX_BODY_BYTES;
    const jsonBody = json({ limit, type: ['application/json', 'application/*+json'], verify: refuseDeepJson });
    const uploadBody = rawUploadBody(limit);
    this.parsers = [
      // Uploads are read once, from their bytes, by the upload route's own reader (parse once).
      (req, res, next) => (isUploadRoute(req) ? uploadBody(req, res, next) : jsonBody(req, res, next)),
      // Raw Sigma YAML for the rules routes; any other route refuses a string body (415).
      text({ limit, type: YAML_TYPES }),
    ];
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() === 'http') {
      const http = context.switchToHttp();
      const req = http.getRequest<Request>();
      const res = http.getResponse<Response>();
      for (const parser of this.parsers) await run(parser, req, res);
    }
    return next.handle();
  }
}
