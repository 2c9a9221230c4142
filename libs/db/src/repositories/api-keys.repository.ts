import type { Database, TenantScope } from '../database';
import type { ApiKey, ApiKeyRole } from '../generated/client';
import { afterCursor, newestFirst, toPage, type Page, type PageRequest } from '../pagination';
import { asTenantId, type TenantId } from '../tenant-id';

export interface ApiKeyAuth {
  id: string;
  tenantId: TenantId;
  role: ApiKeyRole;
  revoked: boolean;
}

export class ApiKeysRepository {
  create(
    scope: TenantScope,
    data: { name: string; role: ApiKeyRole; prefix: string; secretHash: string; createdBy?: string },
  ): Promise<ApiKey> {
    return scope.tx.apiKey.create({ data: { ...data, tenantId: scope.tenantId } });
  }

  async list(scope: TenantScope, page: PageRequest): Promise<Page<ApiKey>> {
    const rows = await scope.tx.apiKey.findMany({
      where: { tenantId: scope.tenantId, ...afterCursor(page.cursor) },
      orderBy: newestFirst,
      take: page.limit + 1,
    });
    return toPage(rows, page.limit);
  }

  get(scope: TenantScope, id: string): Promise<ApiKey | null> {
    return scope.tx.apiKey.findUnique({ where: { tenantId_id: { tenantId: scope.tenantId, id } } });
  }

  async revoke(scope: TenantScope, id: string): Promise<ApiKey | null> {
    const found = await this.get(scope, id);
    if (!found) return null;
    if (found.revokedAt) return found;
    return scope.tx.apiKey.update({
      where: { tenantId_id: { tenantId: scope.tenantId, id } },
      data: { revokedAt: new Date() },
    });
  }

  async touch(scope: TenantScope, id: string, at: Date): Promise<void> {
    await scope.tx.apiKey.updateMany({ where: { tenantId: scope.tenantId, id }, data: { lastUsedAt: at } });
  }

  /** Before a tenant is known: resolves a key by the hash of its secret (SECURITY DEFINER look-up). */
  async authenticate(db: Database, secretHash: string): Promise<ApiKeyAuth | null> {
    const rows = await db.prisma.$queryRaw<Array<{ id: string; tenant_id: string; role: ApiKeyRole; revoked_at: Date | null }>>`
      SELECT id, tenant_id, role, revoked_at FROM tg_auth_api_key(${secretHash})`;
    const row = rows[0];
    if (!row) return null;
    return { id: row.id, tenantId: asTenantId(row.tenant_id), role: row.role, revoked: row.revoked_at !== null };
  }
}
