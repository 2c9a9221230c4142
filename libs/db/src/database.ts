import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, Prisma } from './generated/client';
import type { TenantId } from './tenant-id';

export type Tx = Prisma.TransactionClient;

/** A transaction bound to one tenant: the only way repositories reach tenant data. */
export interface TenantScope {
  readonly tenantId: TenantId;
  readonly tx: Tx;
}

export interface DatabaseOptions {
  /** Connection string of the application role (subject to row-level security). */
  url: string;
  poolSize?: number;
}

/**
 * The application's Prisma client. Tenant data is reached only through `forTenant`, which runs
 * the work in a transaction with `app.tenant_id` set, so Postgres row-level security applies.
 */
export class Database {
  readonly prisma: PrismaClient;

  constructor(options: DatabaseOptions) {
    const adapter = new PrismaPg({ connectionString: options.url, max: options.poolSize ?? 10 });
    this.prisma = new PrismaClient({ adapter });
  }

  forTenant<T>(tenantId: TenantId, work: (scope: TenantScope) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT set_config('app.tenant_id', ${tenantId}, true)`;
        return work({ tenantId, tx });
      },
      { timeout: 30_000, maxWait: 10_000 },
    );
  }

  async ping(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1`;
  }

  async close(): Promise<void> {
    await this.prisma.$disconnect();
  }
}
