import {
  AwsAccountsRepository,
  DomainEventsRepository,
  IngestCheckpointsRepository,
  type Database,
  type CheckpointKey,
  type TenantId,
} from '@trailguard/db';

const accounts = new AwsAccountsRepository();
const checkpoints = new IngestCheckpointsRepository();
const events = new DomainEventsRepository();

/**
 * An active account that AWS refuses (role deleted, permission removed, trust changed) goes to
 * `error` with the reason, and the change is announced in the same transaction. It is not polled
 * again until re-verified: retrying a denial only burns the customer's rate limit.
 */
export async function markAccountError(db: Database, tenantId: TenantId, accountId: string, reason: string): Promise<void> {
  await db.forTenant(tenantId, async (scope) => {
    const account = await accounts.getForUpdate(scope, accountId);
    if (!account || account.status !== 'active') return;
    await accounts.update(scope, accountId, { status: 'error', statusReason: reason });
    await events.record(scope, 'account.status_changed', {
      accountId,
      name: account.name,
      status: 'error',
      previousStatus: account.status,
      reason,
    });
  });
}

export async function recordRunError(db: Database, tenantId: TenantId, key: CheckpointKey, message: string): Promise<void> {
  await db.forTenant(tenantId, (scope) => checkpoints.record(scope, key, { lastError: message.slice(0, 1000) }));
}
