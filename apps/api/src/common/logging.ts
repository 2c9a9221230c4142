import type { Config } from '@trailguard/config';
import { prettyStream, usePrettyLogs } from '@trailguard/runtime';
import type { Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';

type PinoHttpOptions = Exclude<NonNullable<Params['pinoHttp']>, unknown[]> & Record<string, unknown>;

/** nestjs-pino's pinoHttp parameter: the options as given, with a pretty destination when asked. */
export function pinoHttpParams(config: Config, options: PinoHttpOptions): NonNullable<Params['pinoHttp']> {
  if (!usePrettyLogs(config)) return options;
  const concise = {
    ...options,
    // One short line per request ("POST /v1/tenants 201 12 ms"); the full record stays in JSON mode.
    customSuccessMessage: (req: IncomingMessage, res: ServerResponse, ms: number) =>
      `${req.method} ${req.url} ${res.statusCode} ${Math.round(ms)} ms`,
    customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${req.url} ${res.statusCode}`,
  };
  return [concise as never, prettyStream()];
}
