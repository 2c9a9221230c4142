import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ApiKeysRepository, Database, type PageRequest, type TenantId, type TenantScope } from '@trailguard/db';
import { ApiKeyCache } from '../../common/api-key-cache';
import { hashSecret } from '../../common/auth';
import { notFound } from '../../common/domain-error';
import { toApiKeyView, type CreateApiKeyBody } from './api-keys.dto';

@Injectable()
export class ApiKeysService {
  private readonly keys = new ApiKeysRepository();

  constructor(
    private readonly db: Database,
    private readonly cache: ApiKeyCache,
  ) {}

  create(tenantId: TenantId, body: CreateApiKeyBody, createdBy: string) {
    return this.db.forTenant(tenantId, (scope) => this.createIn(scope, { ...body, createdBy }));
  }

  /** The only time the key's secret exists outside the caller: it is returned here, once. */
  async createIn(scope: TenantScope, input: CreateApiKeyBody & { createdBy?: string }) {
    const key = `tg_${randomBytes(30).toString('base64url')}`;
    const row = await this.keys.create(scope, {
      name: input.name,
      role: input.role,
      prefix: key.slice(0, 11),
      secretHash: hashSecret(key),
      createdBy: input.createdBy,
    });
    return { ...toApiKeyView(row), key };
  }

  async list(tenantId: TenantId, page: PageRequest) {
    const result = await this.db.forTenant(tenantId, (scope) => this.keys.list(scope, page));
    return { data: result.data.map(toApiKeyView), nextCursor: result.nextCursor };
  }

  async revoke(tenantId: TenantId, id: string) {
    const row = await this.db.forTenant(tenantId, (scope) => this.keys.revoke(scope, id));
    if (!row) throw notFound('api key', id);
    // Every API process stops trusting its cached copy now, not when the copy expires.
    await this.cache.announceRevoked(row.id);
    return toApiKeyView(row);
  }
}
