import type { TenantScope } from '../database';
import type { Tenant } from '../generated/client';

export class TenantsRepository {
  create(scope: TenantScope, name: string): Promise<Tenant> {
    return scope.tx.tenant.create({ data: { id: scope.tenantId, name } });
  }

  /** Days findings are kept (null: the platform default). */
  setRetention(scope: TenantScope, retentionDays: number | null): Promise<Tenant> {
    return scope.tx.tenant.update({ where: { id: scope.tenantId }, data: { retentionDays } });
  }

  get(scope: TenantScope): Promise<Tenant | null> {
    return scope.tx.tenant.findUnique({ where: { id: scope.tenantId } });
  }
}
