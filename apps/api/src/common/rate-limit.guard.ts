import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ownKey, tenantKey, type RedisClient } from '@trailguard/queues';
import { principalOf } from './auth';
import { DomainError } from './domain-error';
import { REDIS } from './redis.provider';
import { RUNTIME, type Runtime } from './runtime';

const BUDGET_PARAM = 'tg:budget-param';

/**
 * A public route with no API key spends the budget of the account named by this path parameter
 * (the EventBridge push), so one account's pushes are limited like a tenant's API calls.
 */
export const BudgetPerAccount = (param: string) => SetMetadata(BUDGET_PARAM, param);

/**
 * Per-tenant request budget shared by every API replica: a fixed one-minute window counted in
 * Redis. (@nestjs/throttler keys by client and keeps state per process unless a third-party
 * storage is added; a tenant budget is two Redis commands.)
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const principal = principalOf(req);
    const param = this.reflector.getAllAndOverride<string | undefined>(BUDGET_PARAM, [context.getHandler(), context.getClass()]);
    const account = param
      ? String(req.params[param] ?? '')
          .toLowerCase()
          .slice(0, 64)
      : '';
    const subject = principal ? principal.tenantId : account ? `account:${account}` : undefined;
    if (!subject) return true;
    const limit = this.runtime.config.RATE_LIMIT_PER_MINUTE;
    const window = Math.floor(Date.now() / 60_000);
    const key = principal ? tenantKey(principal.tenantId, 'ratelimit', String(window)) : ownKey('ratelimit', subject, String(window));
    const [[, count]] = (await this.redis.multi().incr(key).pexpire(key, 61_000).exec()) as [[Error | null, number]];
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, limit - count)));
    if (count > limit) {
      const retryAfter = 60 - Math.floor((Date.now() % 60_000) / 1000);
      res.setHeader('Retry-After', String(retryAfter));
      const whose = principal ? 'tenant' : 'account';
      throw new DomainError('rate_limited', `${whose} request budget of ${limit}/minute exceeded; retry after ${retryAfter}s`);
    }
    return true;
  }
}
