import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { readTrailPosture, toAwsIngestError, type TrailPosture } from '@trailguard/aws';
import { AwsAccountsRepository, Database, DomainEventsRepository, asTenantId, type Prisma } from '@trailguard/db';
import type { JobOf } from '@trailguard/queues';
import { AwsIngestClients } from '../ingest/aws-ingest-clients';
import { markAccountError } from '../ingest/account-health';
import { ingestMetrics } from '../ingest/ingest-metrics';
import { raisePostureFinding } from '@trailguard/detection';
import type { JobHandler } from '../job-handler';
import { WORKER_RUNTIME, type WorkerRuntime } from '../worker-runtime';
import { TrailDriftService } from '../integrity/trail-drift.service';
import { LogIntegrityService } from '../integrity/log-integrity.service';

function hadLoggingTrail(posture: unknown): boolean | null {
  const value = (posture as { hasLoggingMultiRegionTrail?: unknown } | null)?.hasLoggingMultiRegionTrail;
  return typeof value === 'boolean' ? value : null;
}

/**
 * Reads the account's trails (DescribeTrails / GetTrailStatus / GetEventSelectors) and stores the
 * posture. Losing the last logging multi-region trail raises a posture finding, linked to the
 * UpdateTrail finding that caused it, and is announced as `posture.changed`.
 */
@Injectable()
export class IngestPostureProcessor implements JobHandler<'ingest.posture'> {
  readonly jobName = 'ingest.posture' as const;
  private readonly accounts = new AwsAccountsRepository();
  private readonly events = new DomainEventsRepository();
  private readonly logger = new Logger('IngestPosture');

  constructor(
    private readonly db: Database,
    private readonly aws: AwsIngestClients,
    @Inject(WORKER_RUNTIME) private readonly runtime: WorkerRuntime,
    private readonly drift: TrailDriftService,
    private readonly integrity: LogIntegrityService,
  ) {}

  handle(data: JobOf<'ingest.posture'>): Promise<void> {
    return this.aws.run(() => this.check(data));
  }

  private async check(data: JobOf<'ingest.posture'>): Promise<void> {
    const tenantId = asTenantId(data.tenantId);
    const account = await this.db.forTenant(tenantId, (scope) => this.accounts.get(scope, data.accountId));
    const target = account ? this.aws.target(account) : null;
    if (!account || !target || account.status !== 'active' || !account.awsAccountId) return;

    let posture: TrailPosture;
    try {
      posture = await readTrailPosture(this.aws.clients, target, account.awsAccountId, account.regions[0] ?? 'us-east-1');
    } catch (err) {
      const e = toAwsIngestError(err, 'cloudtrail:DescribeTrails');
      ingestMetrics.error(e.code);
      if (e.code === 'access_denied') {
        await markAccountError(this.db, tenantId, account.id, `reading trail posture was denied: ${e.message}`);
        throw new UnrecoverableError(e.message);
      }
      throw e;
    }
    const stored = JSON.parse(JSON.stringify(posture)) as Prisma.InputJsonObject;
    await this.db.forTenant(tenantId, async (scope) => {
      const current = await this.accounts.getForUpdate(scope, account.id);
      if (!current) return;
      await this.accounts.update(scope, account.id, { posture: stored, postureAt: new Date(posture.checkedAt) });
      const before = hadLoggingTrail(current.posture);
      if (before !== false && !posture.hasLoggingMultiRegionTrail) {
        const finding = await raisePostureFinding(scope, {
          accountId: account.id,
          posture: stored,
          at: new Date(posture.checkedAt),
          windowSeconds: this.runtime.config.FINDING_WINDOW_SECONDS,
        });
        await this.events.record(scope, 'posture.changed', {
          accountId: account.id,
          awsAccountId: account.awsAccountId,
          posture: stored,
          previous: (current.posture ?? null) as Prisma.InputJsonValue,
          findingId: finding.id,
        });
      }
    });
    // Drift from the trail baseline (bucket moved, validation off, ...) is judged on the same read.
    await this.drift.check(tenantId, account, target, posture);
    // Accounts read through S3: CloudTrail digests, digest delivery, unlogged regions. The posture
    // is stored already; a failure here must not redo it: its state did not advance, so the next
    // posture run validates the same digests again.
    await this.integrity.check(tenantId, account, target).catch((err: unknown) => {
      ingestMetrics.error(toAwsIngestError(err, 'cloudtrail:ListPublicKeys').code);
      this.logger.warn({ accountId: account.id, err: (err as Error).message }, 'log file integrity check failed');
    });
  }
}
