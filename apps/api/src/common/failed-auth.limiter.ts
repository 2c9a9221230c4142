import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { ownKey, type RedisClient } from '@trailguard/queues';
import { DomainError } from './domain-error';
import { REDIS } from './redis.provider';
import { RUNTIME, type Runtime } from './runtime';

const WINDOW_MS = 60_000;

/** The caller's address as the socket saw it (no X-Forwarded-For: a client could forge it). */
export const clientAddress = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/**
 * Failed authentication attempts (API key, operator token, ingest token) counted per client
 * address in a one-minute window shared by every replica. Past the limit the address is refused
 * before any key lookup until the window ends. The happy path costs nothing: the count is only
 * touched on a failure, and the block is remembered in process.
 */
@Injectable()
export class FailedAuthLimiter {
  private readonly logger = new Logger('FailedAuthLimiter');
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  /** Milliseconds until this address may try again, or 0. */
  retryAfterMs(address: string): number {
    const until = this.blockedUntil.get(address);
    if (until === undefined) return 0;
    const left = until - Date.now();
    if (left <= 0) this.blockedUntil.delete(address);
    return Math.max(0, left);
  }

  /** Counts one failure; never throws (a Redis hiccup must not turn a 401 into a 500). */
  recordFailure(address: string): void {
    const window = Math.floor(Date.now() / WINDOW_MS);
    const key = ownKey('authfail', address, String(window));
    this.redis
      .multi()
      .incr(key)
      .pexpire(key, WINDOW_MS + 1000)
      .exec()
      .then((result) => {
        const count = Number(result?.[0]?.[1] ?? 0);
        if (count > this.runtime.config.AUTH_FAILURES_PER_MINUTE) {
          if (this.blockedUntil.size > 10_000) this.blockedUntil.clear();
          this.blockedUntil.set(address, (window + 1) * WINDOW_MS);
        }
      })
      .catch((err: unknown) => this.logger.warn(`failed-auth count not recorded: ${(err as Error).message}`));
  }
}

/** Runs before authentication: an address that failed too often is refused without a lookup. */
@Injectable()
export class FailedAuthGuard implements CanActivate {
  constructor(private readonly limiter: FailedAuthLimiter) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const wait = this.limiter.retryAfterMs(clientAddress(req));
    if (wait > 0) {
      const retryAfter = Math.ceil(wait / 1000);
      context.switchToHttp().getResponse<{ setHeader(n: string, v: string): void }>().setHeader('Retry-After', String(retryAfter));
      throw new DomainError('rate_limited', `too many failed authentication attempts from this address; retry after ${retryAfter}s`);
    }
    return true;
  }
}
