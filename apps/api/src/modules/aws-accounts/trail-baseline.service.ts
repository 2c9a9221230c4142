import { Injectable, Logger } from '@nestjs/common';
import { AssumedCredentialsCache, CustomerAwsClients, baselineOf, readTrailPosture, toAwsIngestError } from '@trailguard/aws';
import { Database, LoggingIntegrityRepository, type AwsAccount, type Prisma, type TenantId } from '@trailguard/db';
import { DomainError, notFound } from '../../common/domain-error';

/**
 * The trail baseline: each trail's configuration as accepted at verification or by an admin
 * (POST /v1/aws-accounts/:id/trail-baseline). Posture runs in the worker report drift from it.
 */
@Injectable()
export class TrailBaselineService {
  private readonly logger = new Logger('TrailBaseline');
  private readonly repo = new LoggingIntegrityRepository();

  constructor(private readonly db: Database) {}

  /** Reads the trails now (as the customer's role) and makes that the baseline. */
  async accept(tenantId: TenantId, id: string, takenBy: string) {
    const account = await this.db.forTenant(tenantId, (scope) =>
      scope.tx.awsAccount.findUnique({ where: { tenantId_id: { tenantId, id } } }),
    );
    if (!account) throw notFound('aws account', id);
    if (account.status !== 'active' || !account.roleArn || !account.awsAccountId) {
      throw new DomainError('account_not_active', `account is ${account.status}; verify it first`);
    }
    const baseline = await this.read(account, takenBy);
    await this.db.forTenant(tenantId, (scope) => this.repo.setBaseline(scope, id, baseline, new Date(String(baseline.takenAt))));
    return { accountId: id, trailBaseline: baseline, trailBaselineAt: baseline.takenAt };
  }

  /** At verification: best effort, the worker's first posture run takes it if this fails. */
  async captureAfterVerification(tenantId: TenantId, account: AwsAccount): Promise<void> {
    if (account.status !== 'active' || !account.roleArn || !account.awsAccountId) return;
    try {
      const baseline = await this.read(account, 'verification');
      await this.db.forTenant(tenantId, (scope) => this.repo.setBaseline(scope, account.id, baseline, new Date(String(baseline.takenAt))));
    } catch (err) {
      this.logger.warn({ accountId: account.id, err: (err as Error).message }, 'trail baseline not captured at verification');
    }
  }

  private async read(account: AwsAccount, takenBy: string): Promise<Prisma.InputJsonObject> {
    const clients = new CustomerAwsClients(new AssumedCredentialsCache({ sessionName: 'trailguard-baseline' }), { maxAttempts: 2 });
    try {
      const posture = await readTrailPosture(
        clients,
        { roleArn: account.roleArn!, externalId: account.externalId },
        account.awsAccountId!,
        account.regions[0] ?? 'us-east-1',
      );
      return JSON.parse(JSON.stringify(baselineOf(posture, takenBy))) as Prisma.InputJsonObject;
    } catch (err) {
      const e = toAwsIngestError(err, 'cloudtrail:DescribeTrails');
      throw new DomainError('trail_read_failed', `could not read the account's trails: ${e.message}`, { code: e.code });
    } finally {
      clients.destroy();
    }
  }
}
