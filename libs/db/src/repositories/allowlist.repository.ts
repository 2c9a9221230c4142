import type { TenantScope } from '../database';
import type { AllowlistEntry } from '../generated/client';
import { afterCursor, newestFirst, toPage, type Page, type PageRequest } from '../pagination';

export class AllowlistRepository {
  create(
    scope: TenantScope,
    data: { principalPattern: string; ruleIds: string[]; reason: string; createdBy?: string; expiresAt: Date | null },
  ): Promise<AllowlistEntry> {
    return scope.tx.allowlistEntry.create({ data: { ...data, tenantId: scope.tenantId } });
  }

  async list(scope: TenantScope, page: PageRequest): Promise<Page<AllowlistEntry>> {
    const rows = await scope.tx.allowlistEntry.findMany({
      where: { tenantId: scope.tenantId, ...afterCursor(page.cursor) },
      orderBy: newestFirst,
      take: page.limit + 1,
    });
    return toPage(rows, page.limit);
  }

  /** Entries that have not expired at `at`. */
  live(scope: TenantScope, at: Date): Promise<AllowlistEntry[]> {
    return scope.tx.allowlistEntry.findMany({
      where: { tenantId: scope.tenantId, OR: [{ expiresAt: null }, { expiresAt: { gt: at } }] },
      orderBy: { createdAt: 'asc' },
    });
  }

  get(scope: TenantScope, id: string): Promise<AllowlistEntry | null> {
    return scope.tx.allowlistEntry.findUnique({ where: { tenantId_id: { tenantId: scope.tenantId, id } } });
  }

  /** Findings keep pointing at the entry id after deletion; only the link is cleared. */
  async delete(scope: TenantScope, id: string): Promise<boolean> {
    await scope.tx.finding.updateMany({ where: { tenantId: scope.tenantId, allowlistEntryId: id }, data: { allowlistEntryId: null } });
    const r = await scope.tx.allowlistEntry.deleteMany({ where: { tenantId: scope.tenantId, id } });
    return r.count > 0;
  }
}
