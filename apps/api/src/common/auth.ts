import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { ApiKeysRepository, Database, type ApiKeyRole, type TenantId } from '@trailguard/db';
import { ApiKeyCache } from './api-key-cache';
import { DomainError } from './domain-error';
import { RUNTIME, type Runtime } from './runtime';

export interface Principal {
  tenantId: TenantId;
  keyId: string;
  role: ApiKeyRole;
}

type AuthedRequest = Request & { principal?: Principal };

const ROLE_RANK: Record<ApiKeyRole, number> = { viewer: 0, analyst: 1, admin: 2 };
const MIN_ROLE = 'tg:min-role';
const OPERATOR = 'tg:operator';
const PUBLIC = 'tg:public';

/** The least role a route needs; reads default to viewer, writes to admin. */
export const MinRole = (role: ApiKeyRole) => SetMetadata(MIN_ROLE, role);
/** Operator routes authenticate with X-Admin-Token instead of an API key. */
export const OperatorOnly = () => SetMetadata(OPERATOR, true);
export const Public = () => SetMetadata(PUBLIC, true);

export function hashSecret(secret: string): string {
  // API keys carry 240 bits of randomness, so a fast hash is enough (no salt or KDF needed).
  return createHash('sha256').update(secret).digest('hex');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(hashSecret(a));
  const y = Buffer.from(hashSecret(b));
  return timingSafeEqual(x, y);
}

/**
 * The operator token from `X-Admin-Token`, or for browsers (the queue dashboard) as the password
 * of HTTP Basic authentication; compared in constant time.
 */
export function isOperatorRequest(req: Request, adminToken: string): boolean {
  let token = req.header('x-admin-token');
  const basic = /^Basic\s+(\S+)$/i.exec(req.header('authorization') ?? '');
  if (token === undefined && basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    token = decoded.slice(decoded.indexOf(':') + 1);
  }
  return token !== undefined && token.length > 0 && safeEqual(token, adminToken);
}

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly keys = new ApiKeysRepository();
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly reflector: Reflector,
    private readonly db: Database,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly cache: ApiKeyCache,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    if (this.reflector.getAllAndOverride<boolean>(OPERATOR, targets)) {
      const token = req.header('x-admin-token');
      if (!token || !safeEqual(token, this.runtime.adminToken)) {
        throw new DomainError('unauthorized', 'a valid X-Admin-Token header is required');
      }
      return true;
    }
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new DomainError('unauthorized', 'send an API key as "Authorization: Bearer <key>"');
    const secretHash = hashSecret(match[1]);
    const key = await this.cache.authenticate(secretHash, () => this.keys.authenticate(this.db, secretHash));
    if (!key || key.revoked) throw new DomainError('unauthorized', 'the API key is unknown or revoked');
    const needed = this.reflector.getAllAndOverride<ApiKeyRole>(MIN_ROLE, targets) ?? (req.method === 'GET' ? 'viewer' : 'admin');
    if (ROLE_RANK[key.role] < ROLE_RANK[needed]) {
      throw new DomainError('forbidden', `this action needs the ${needed} role; the key has ${key.role}`);
    }
    req.principal = { tenantId: key.tenantId, keyId: key.id, role: key.role };
    this.recordUse(key.tenantId, key.id);
    return true;
  }

  /** `lastUsedAt` to the minute: one write per key per minute per process, off the request path. */
  private recordUse(tenantId: TenantId, keyId: string): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(keyId) ?? 0) < 60_000) return;
    this.lastTouched.set(keyId, now);
    if (this.lastTouched.size > 10_000) this.lastTouched.clear();
    this.db.forTenant(tenantId, (scope) => this.keys.touch(scope, keyId, new Date(now))).catch(() => this.lastTouched.delete(keyId));
  }
}

/** The authenticated caller. Throws if the route was not behind the auth guard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without API-key authentication');
  return principal;
});

export const CurrentTenant = createParamDecorator((_: unknown, ctx: ExecutionContext): TenantId => {
  const principal = ctx.switchToHttp().getRequest<AuthedRequest>().principal;
  if (!principal) throw new Error('CurrentTenant used on a route without API-key authentication');
  return principal.tenantId;
});

export function principalOf(req: Request): Principal | undefined {
  return (req as AuthedRequest).principal;
}
