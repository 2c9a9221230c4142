import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { asTenantId, Database, TenantsRepository, type Tenant, type TenantId } from '@trailguard/db';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { DomainError, notFound } from '../../common/domain-error';
import { RUNTIME, type Runtime } from '../../common/runtime';
import type { PatchTenantBody } from './tenants.dto';

@Injectable()
export class TenantsService {
  private readonly tenants = new TenantsRepository();

  constructor(
    private readonly db: Database,
    private readonly apiKeys: ApiKeysService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  /** A tenant and its first admin key, atomically. */
  async create(name: string) {
    const tenantId = asTenantId(randomUUID());
    return this.db.forTenant(tenantId, async (scope) => {
      const tenant = await this.tenants.create(scope, name);
      const apiKey = await this.apiKeys.createIn(scope, { name: 'initial admin key', role: 'admin' });
      return { tenant: { id: tenant.id, name: tenant.name, createdAt: tenant.createdAt }, apiKey };
    });
  }

  async get(tenantId: TenantId) {
    const tenant = await this.db.forTenant(tenantId, (scope) => this.tenants.get(scope));
    if (!tenant) throw notFound('tenant', tenantId);
    return this.view(tenant);
  }

  async update(tenantId: TenantId, body: PatchTenantBody) {
    const max = this.runtime.config.FINDING_RETENTION_MAX_DAYS;
    if (body.retentionDays != null && body.retentionDays > max) {
      throw new DomainError('retention_too_long', `retentionDays may be at most ${max} on this platform`, { max });
    }
    const tenant = await this.db.forTenant(tenantId, (scope) =>
      body.retentionDays === undefined ? this.tenants.get(scope) : this.tenants.setRetention(scope, body.retentionDays),
    );
    if (!tenant) throw notFound('tenant', tenantId);
    return this.view(tenant);
  }

  /** The tenant and what the retention job applies to it (the platform's settings included). */
  private view(tenant: Tenant) {
    const { config } = this.runtime;
    return {
      id: tenant.id,
      name: tenant.name,
      createdAt: tenant.createdAt,
      retention: {
        retentionDays: tenant.retentionDays,
        effectiveRetentionDays: Math.min(tenant.retentionDays ?? config.FINDING_RETENTION_DAYS, config.FINDING_RETENTION_MAX_DAYS),
        defaultRetentionDays: config.FINDING_RETENTION_DAYS,
        maxRetentionDays: config.FINDING_RETENTION_MAX_DAYS,
        dedupWindowHours: config.DEDUP_WINDOW_HOURS,
        deliveryRetentionDays: config.DELIVERY_RETENTION_DAYS,
        findingEvidenceMax: config.FINDING_EVIDENCE_MAX,
      },
    };
  }
}
