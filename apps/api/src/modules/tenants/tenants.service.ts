import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { asTenantId, Database, TenantsRepository, type TenantId } from '@trailguard/db';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { notFound } from '../../common/domain-error';

@Injectable()
export class TenantsService {
  private readonly tenants = new TenantsRepository();

  constructor(
    private readonly db: Database,
    private readonly apiKeys: ApiKeysService,
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
    return { id: tenant.id, name: tenant.name, createdAt: tenant.createdAt };
  }
}
