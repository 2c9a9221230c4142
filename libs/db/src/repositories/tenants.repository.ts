import type { TenantScope } from '../database';
import type { Tenant } from '../generated/client';

export class TenantsRepository {
  create(scope: TenantScope, name: string): Promise<Tenant> {
    return scope.tx.tenant.create({ data: { id: scope.tenantId, name } });
  }

  get(scope: TenantScope): Promise<Tenant | null> {
    return scope.tx.tenant.findUnique({ where: { id: scope.tenantId } });
  }
}
