import { Inject, Injectable } from '@nestjs/common';
import type { RedisClient } from '@trailguard/queues';
import { AllowlistRepository, Database, type PageRequest, type TenantId } from '@trailguard/db';
import { TenantRulesLoader } from '@trailguard/detection';
import { DomainError, notFound } from '../../common/domain-error';
import { REDIS } from '../../common/redis.provider';
import { toAllowlistView, type CreateAllowlistBody } from './allowlist.dto';

@Injectable()
export class AllowlistService {
  private readonly entries = new AllowlistRepository();

  constructor(
    private readonly db: Database,
    private readonly loader: TenantRulesLoader,
    @Inject(REDIS) private readonly redis: RedisClient,
  ) {}

  async create(tenantId: TenantId, body: CreateAllowlistBody, createdBy: string) {
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    if (expiresAt && expiresAt <= new Date()) {
      throw new DomainError('validation_failed', 'body.expiresAt: must be in the future', [
        { path: 'body.expiresAt', message: 'must be in the future' },
      ]);
    }
    const known = new Set((await this.loader.get(tenantId)).rules.map((r) => r.id));
    const unknown = body.ruleIds.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new DomainError('unknown_rule', `unknown rule id(s): ${unknown.join(', ')}`, { ruleIds: unknown });
    }
    const row = await this.db.forTenant(tenantId, (scope) =>
      this.entries.create(scope, {
        principalPattern: body.principalPattern,
        ruleIds: body.ruleIds,
        reason: body.reason,
        createdBy,
        expiresAt,
      }),
    );
    await TenantRulesLoader.bump(this.redis, tenantId);
    return toAllowlistView(row);
  }

  async list(tenantId: TenantId, page: PageRequest) {
    const result = await this.db.forTenant(tenantId, (scope) => this.entries.list(scope, page));
    return { data: result.data.map(toAllowlistView), nextCursor: result.nextCursor };
  }

  async get(tenantId: TenantId, id: string) {
    const row = await this.db.forTenant(tenantId, (scope) => this.entries.get(scope, id));
    if (!row) throw notFound('allowlist entry', id);
    return toAllowlistView(row);
  }

  async remove(tenantId: TenantId, id: string) {
    const deleted = await this.db.forTenant(tenantId, (scope) => this.entries.delete(scope, id));
    if (!deleted) throw notFound('allowlist entry', id);
    await TenantRulesLoader.bump(this.redis, tenantId);
    return { id, deleted: true };
  }
}
