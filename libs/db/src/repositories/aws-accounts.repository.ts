import type { Database, TenantScope } from '../database';
import { Prisma, type AwsAccount, type AwsAccountStatus } from '../generated/client';
import { afterCursor, newestFirst, toPage, type Page, type PageRequest } from '../pagination';
import { asTenantId, type TenantId } from '../tenant-id';

export interface AccountRef {
  tenantId: TenantId;
  id: string;
}

export interface IngestAccountAuth {
  tenantId: TenantId;
  ingestTokenHash: string | null;
  status: AwsAccountStatus;
}

export type AwsAccountCreate = Pick<
  AwsAccount,
  'name' | 'externalId' | 'regions' | 'pollingEnabled' | 's3Bucket' | 's3Prefix' | 'ingestTokenHash'
>;

export type AwsAccountChanges = Partial<
  Pick<
    AwsAccount,
    | 'name'
    | 'regions'
    | 'pollingEnabled'
    | 's3Bucket'
    | 's3Prefix'
    | 'ingestTokenHash'
    | 'roleArn'
    | 'awsAccountId'
    | 'status'
    | 'statusReason'
    | 'verifiedAt'
    | 'postureAt'
  >
> & { verification?: Prisma.InputJsonValue | null; posture?: Prisma.InputJsonValue | null };

function jsonOrNull(value: Prisma.InputJsonValue | null) {
  return value === null ? Prisma.DbNull : value;
}

export class AwsAccountsRepository {
  create(scope: TenantScope, data: AwsAccountCreate): Promise<AwsAccount> {
    return scope.tx.awsAccount.create({ data: { ...data, tenantId: scope.tenantId } });
  }

  get(scope: TenantScope, id: string): Promise<AwsAccount | null> {
    return scope.tx.awsAccount.findUnique({ where: { tenantId_id: { tenantId: scope.tenantId, id } } });
  }

  /** Row-locked read, for read-modify-write of status inside one transaction. */
  async getForUpdate(scope: TenantScope, id: string): Promise<AwsAccount | null> {
    await scope.tx.$executeRaw`SELECT 1 FROM aws_accounts WHERE tenant_id = ${scope.tenantId}::uuid AND id = ${id}::uuid FOR UPDATE`;
    return this.get(scope, id);
  }

  async list(scope: TenantScope, page: PageRequest): Promise<Page<AwsAccount>> {
    const rows = await scope.tx.awsAccount.findMany({
      where: { tenantId: scope.tenantId, ...afterCursor(page.cursor) },
      orderBy: newestFirst,
      take: page.limit + 1,
    });
    return toPage(rows, page.limit);
  }

  update(scope: TenantScope, id: string, changes: AwsAccountChanges): Promise<AwsAccount> {
    const { verification, posture, ...rest } = changes;
    return scope.tx.awsAccount.update({
      where: { tenantId_id: { tenantId: scope.tenantId, id } },
      data: {
        ...rest,
        ...(verification !== undefined ? { verification: jsonOrNull(verification) } : {}),
        ...(posture !== undefined ? { posture: jsonOrNull(posture) } : {}),
      },
    });
  }

  /** Before a tenant is known (EventBridge push): the account's tenant and token hash. */
  async ingestAuth(db: Database, accountId: string): Promise<IngestAccountAuth | null> {
    const rows = await db.prisma.$queryRaw<Array<{ tenant_id: string; ingest_token_hash: string | null; status: AwsAccountStatus }>>`
      SELECT tenant_id, ingest_token_hash, status FROM tg_ingest_account(${accountId}::uuid)`;
    const row = rows[0];
    return row ? { tenantId: asTenantId(row.tenant_id), ingestTokenHash: row.ingest_token_hash, status: row.status } : null;
  }

  /** Active accounts of every tenant (ids only), for the ingestion scheduler. */
  async activeAccounts(db: Database): Promise<AccountRef[]> {
    const rows = await db.prisma.$queryRaw<Array<{ tenant_id: string; id: string }>>`SELECT tenant_id, id FROM tg_active_accounts()`;
    return rows.map((r) => ({ tenantId: asTenantId(r.tenant_id), id: r.id }));
  }
}
