import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { isUuid } from '@trailguard/db';
import { DomainError } from './domain-error';

/**
 * The `:id` path parameter. Anything that is not a UUID cannot name a row, so it answers 404
 * like any id of another tenant: callers learn nothing about what exists.
 */
export const IdParam = (name = 'id') =>
  createParamDecorator((param: string, ctx: ExecutionContext): string => {
    const raw = ctx.switchToHttp().getRequest<Request>().params[param];
    const value = typeof raw === 'string' ? raw : '';
    if (!isUuid(value)) throw new DomainError('not_found', `${param} ${value} not found`);
    return value.toLowerCase();
  })(name);
