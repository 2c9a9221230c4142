import type { LoggerService } from '@nestjs/common';
import type { Config } from '@trailguard/config';
import type { Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pretty from 'pino-pretty';

/** Pretty lines for a person at a terminal in development; JSON lines for machines everywhere else. */
export function usePrettyLogs(config: Pick<Config, 'LOG_FORMAT' | 'NODE_ENV'>, isTty = Boolean(process.stdout.isTTY)): boolean {
  if (config.LOG_FORMAT) return config.LOG_FORMAT === 'pretty';
  return config.NODE_ENV === 'development' && isTty;
}

type PinoHttpOptions = Exclude<NonNullable<Params['pinoHttp']>, unknown[]> & Record<string, unknown>;

/** nestjs-pino's pinoHttp parameter: the options as given, with a pretty destination when asked. */
export function pinoHttpParams(config: Config, options: PinoHttpOptions): NonNullable<Params['pinoHttp']> {
  if (!usePrettyLogs(config)) return options;
  const concise = {
    ...options,
    // One short line per request ("POST /v1/tenants 201 12 ms"), the full record stays in JSON mode.
    customSuccessMessage: (req: IncomingMessage, res: ServerResponse, ms: number) =>
      `${req.method} ${req.url} ${res.statusCode} ${Math.round(ms)} ms`,
    customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${req.url} ${res.statusCode}`,
  };
  // Synchronous: no worker thread to flush at exit, and lines appear in order with the banner.
  const stream = pretty({
    sync: true,
    colorize: Boolean(process.stdout.isTTY),
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,req,res,responseTime',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
  return [concise as never, stream];
}

/** Nest's start-up chatter (one line per module and route) that only someone debugging wants. */
const STARTUP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** Wraps the application logger so Nest's route mapping and module loading log at debug, not info. */
export function quietStartup(logger: LoggerService): LoggerService {
  const contextOf = (params: unknown[]) => params[params.length - 1];
  return {
    log: (message: unknown, ...params: unknown[]) => {
      const context = contextOf(params);
      if (typeof context === 'string' && STARTUP_CONTEXTS.has(context)) logger.debug?.(message, ...params);
      else logger.log(message, ...params);
    },
    error: (message: unknown, ...params: unknown[]) => logger.error(message, ...params),
    warn: (message: unknown, ...params: unknown[]) => logger.warn(message, ...params),
    debug: (message: unknown, ...params: unknown[]) => logger.debug?.(message, ...params),
    verbose: (message: unknown, ...params: unknown[]) => logger.verbose?.(message, ...params),
    fatal: (message: unknown, ...params: unknown[]) => (logger.fatal ?? logger.error).call(logger, message, ...params),
  };
}
