import type { TenantScope } from '../database';
import type { IngestCheckpoint, IngestSource } from '../generated/client';

export interface CheckpointKey {
  accountId: string;
  region: string;
  source: IngestSource;
}

/** What one ingestion run changes; unset fields stay as they are. */
export interface CheckpointProgress {
  lastEventTime?: Date | null;
  lastKey?: string | null;
  lastPollAt?: Date;
  lastSuccessAt?: Date;
  /** null clears the error (a run succeeded). */
  lastError?: string | null;
  /** Added to the running total. */
  eventsAdded?: number;
}

/** Where ingestion of each account-region-source stands, and its health. */
export class IngestCheckpointsRepository {
  get(scope: TenantScope, key: CheckpointKey): Promise<IngestCheckpoint | null> {
    return scope.tx.ingestCheckpoint.findUnique({
      where: { tenantId_accountId_region_source: { tenantId: scope.tenantId, ...key } },
    });
  }

  listForAccount(scope: TenantScope, accountId: string): Promise<IngestCheckpoint[]> {
    return scope.tx.ingestCheckpoint.findMany({
      where: { tenantId: scope.tenantId, accountId },
      orderBy: [{ source: 'asc' }, { region: 'asc' }],
    });
  }

  async record(scope: TenantScope, key: CheckpointKey, progress: CheckpointProgress): Promise<IngestCheckpoint> {
    const { eventsAdded = 0, ...fields } = progress;
    const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    return scope.tx.ingestCheckpoint.upsert({
      where: { tenantId_accountId_region_source: { tenantId: scope.tenantId, ...key } },
      create: { tenantId: scope.tenantId, ...key, ...set, eventsIngested: BigInt(eventsAdded) },
      update: { ...set, ...(eventsAdded > 0 ? { eventsIngested: { increment: BigInt(eventsAdded) } } : {}) },
    });
  }

  deleteForAccount(scope: TenantScope, accountId: string): Promise<{ count: number }> {
    return scope.tx.ingestCheckpoint.deleteMany({ where: { tenantId: scope.tenantId, accountId } });
  }
}
