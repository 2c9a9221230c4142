import type { TenantScope } from '../database';
import { Prisma } from '../generated/client';

/** An account's trail baseline and digest-validation state (columns of aws_accounts). */
export class LoggingIntegrityRepository {
  async state(
    scope: TenantScope,
    accountId: string,
  ): Promise<{ trailBaseline: unknown; trailBaselineAt: Date | null; integrity: unknown } | null> {
    return scope.tx.awsAccount.findUnique({
      where: { tenantId_id: { tenantId: scope.tenantId, id: accountId } },
      select: { trailBaseline: true, trailBaselineAt: true, integrity: true },
    });
  }

  async setBaseline(scope: TenantScope, accountId: string, baseline: Prisma.InputJsonObject, at: Date): Promise<void> {
    await scope.tx.awsAccount.update({
      where: { tenantId_id: { tenantId: scope.tenantId, id: accountId } },
      data: { trailBaseline: baseline, trailBaselineAt: at },
    });
  }

  async setIntegrity(scope: TenantScope, accountId: string, integrity: Prisma.InputJsonObject): Promise<void> {
    await scope.tx.awsAccount.update({ where: { tenantId_id: { tenantId: scope.tenantId, id: accountId } }, data: { integrity } });
  }

  /** The AWS account ids the tenant has registered: a trail bucket owned by one of them is the tenant's own. */
  async registeredAwsAccountIds(scope: TenantScope): Promise<string[]> {
    const rows = await scope.tx.awsAccount.findMany({
      where: { tenantId: scope.tenantId, awsAccountId: { not: null } },
      select: { awsAccountId: true },
    });
    return [...new Set(rows.map((r) => r.awsAccountId!))];
  }
}
