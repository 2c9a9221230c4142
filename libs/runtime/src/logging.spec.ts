import type { LoggerService } from '@nestjs/common';
import { quietStartup, usePrettyLogs } from './logging';

describe('usePrettyLogs', () => {
  it.each([
    [{ NODE_ENV: 'development' as const }, true, true],
    [{ NODE_ENV: 'development' as const }, false, false],
    [{ NODE_ENV: 'production' as const }, true, false],
    [{ NODE_ENV: 'production' as const, LOG_FORMAT: 'pretty' as const }, false, true],
    [{ NODE_ENV: 'development' as const, LOG_FORMAT: 'json' as const }, true, false],
  ])('%p on a terminal=%p: pretty=%p', (config, tty, expected) => {
    expect(usePrettyLogs(config, tty)).toBe(expected);
  });
});

describe('quietStartup', () => {
  it("logs Nest's route mapping and module loading at debug, the rest unchanged", () => {
    const calls: string[] = [];
    const base: LoggerService = {
      log: (m: string, ctx: string) => calls.push(`log ${ctx}: ${m}`),
      debug: (m: string, ctx: string) => calls.push(`debug ${ctx}: ${m}`),
      error: (m: string) => calls.push(`error ${m}`),
      warn: (m: string) => calls.push(`warn ${m}`),
    };
    const logger = quietStartup(base);
    logger.log('Mapped {/v1/findings, GET} route', 'RouterExplorer');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('outbox relay listening', 'OutboxRelay');
    logger.warn('slow');
    expect(calls).toEqual([
      'debug RouterExplorer: Mapped {/v1/findings, GET} route',
      'debug InstanceLoader: AppModule dependencies initialized',
      'log OutboxRelay: outbox relay listening',
      'warn slow',
    ]);
  });
});
