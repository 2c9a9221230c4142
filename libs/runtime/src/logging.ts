import type { LoggerService } from '@nestjs/common';
import type { Config } from '@trailguard/config';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Pretty lines for a person at a terminal in development; JSON lines for machines everywhere else. */
export function usePrettyLogs(config: Pick<Config, 'LOG_FORMAT' | 'NODE_ENV'>, isTty = Boolean(process.stdout.isTTY)): boolean {
  if (config.LOG_FORMAT) return config.LOG_FORMAT === 'pretty';
  return config.NODE_ENV === 'development' && isTty;
}

/** One short line per entry: time, level, [context] message, the other fields inline. */
export function prettyStream(): DestinationStream {
  // Synchronous: no worker thread to flush at exit, and lines appear in order with the banner.
  return pretty({
    sync: true,
    colorize: Boolean(process.stdout.isTTY),
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,req,res,responseTime',
    messageFormat: '{if context}[{context}] {end}{msg}',
  });
}

/** Nest's start-up chatter (one line per module and route) that only someone debugging wants. */
const STARTUP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** Wraps a logger so Nest's route mapping and module loading log at debug, not info. */
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

/**
 * A Nest logger on pino for processes without the HTTP API's nestjs-pino (the standalone worker):
 * the same JSON lines (or pretty ones) as the API, Nest's start-up chatter at debug.
 */
export function createNestLogger(config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT' | 'NODE_ENV'>): LoggerService {
  const root: Logger = usePrettyLogs(config) ? pino({ level: config.LOG_LEVEL }, prettyStream()) : pino({ level: config.LOG_LEVEL });
  // Nest calls log(message, ...params, context); an object message is merged as fields.
  const write =
    (level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal') =>
    (message: unknown, ...params: unknown[]) => {
      const context = typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : undefined;
      // An Error's message and stack are not enumerable: pino's `err` serializer keeps them.
      if (message instanceof Error) root[level]({ context, err: message }, message.message);
      else if (message && typeof message === 'object') root[level]({ context, ...(message as object) });
      else root[level]({ context }, String(message));
    };
  return quietStartup({
    log: write('info'),
    error: write('error'),
    warn: write('warn'),
    debug: write('debug'),
    verbose: write('trace'),
    fatal: write('fatal'),
  });
}
