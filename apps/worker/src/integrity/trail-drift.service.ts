import { Inject, Injectable } from '@nestjs/common';
import {
  baselineOf,
  bucketOwnership,
  diffTrailBaseline,
  type AssumeRoleTarget,
  type BucketOwnership,
  type TrailBaseline,
  type TrailDrift,
  type TrailPosture,
} from '@trailguard/aws';
import { Database, LoggingIntegrityRepository, type AwsAccount, type Prisma, type TenantId } from '@trailguard/db';
import { DRIFT_RULES, FOREIGN_BUCKET_RULE, raiseStateFinding } from '@trailguard/detection';
import { AwsIngestClients } from '../ingest/aws-ingest-clients';
import { WORKER_RUNTIME, type WorkerRuntime } from '../worker-runtime';

/** The CloudTrail call that makes each drift, as CloudTrail records it (camelCase request parameters). */
function causeOf(d: TrailDrift): (record: Record<string, unknown>) => boolean {
  return (record) => {
    const p = (record.requestParameters ?? {}) as Record<string, unknown>;
    const name = p.name ?? p.trailName;
    if (record.eventSource !== 'cloudtrail.amazonaws.com' || (name !== d.trailName && name !== d.trailArn)) return false;
    switch (d.kind) {
      case 'trail_deleted':
        return record.eventName === 'DeleteTrail';
      case 'logging_stopped':
        return record.eventName === 'StopLogging';
      case 'selectors_narrowed':
        return record.eventName === 'PutEventSelectors';
      case 'multi_region_disabled':
        return record.eventName === 'UpdateTrail' && p.isMultiRegionTrail === false;
      case 'validation_disabled':
        return record.eventName === 'UpdateTrail' && p.enableLogFileValidation === false;
      case 'organization_trail_disabled':
        return record.eventName === 'UpdateTrail' && p.isOrganizationTrail === false;
      case 'kms_key_changed':
        return record.eventName === 'UpdateTrail' && 'kmsKeyId' in p;
      case 'bucket_changed':
        return record.eventName === 'UpdateTrail' && p.s3BucketName === (d.after as { s3Bucket: string | null }).s3Bucket;
    }
  };
}

const isBaseline = (v: unknown): v is TrailBaseline => Array.isArray((v as TrailBaseline | null)?.trails);
const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonObject;

/**
 * Compares each posture read with the account's trail baseline. A drift not reported yet becomes
 * a finding naming before and after, linked to the trail-change finding that explains it; a
 * bucket that no registered account owns (HeadBucket with ExpectedBucketOwner) is high severity.
 */
@Injectable()
export class TrailDriftService {
  private readonly repo = new LoggingIntegrityRepository();

  constructor(
    private readonly db: Database,
    private readonly aws: AwsIngestClients,
    @Inject(WORKER_RUNTIME) private readonly runtime: WorkerRuntime,
  ) {}

  async check(tenantId: TenantId, account: AwsAccount, target: AssumeRoleTarget, posture: TrailPosture): Promise<number> {
    const { baseline, registered } = await this.db.forTenant(tenantId, async (scope) => ({
      baseline: (await this.repo.state(scope, account.id))?.trailBaseline,
      registered: await this.repo.registeredAwsAccountIds(scope),
    }));
    const at = new Date(posture.checkedAt);
    if (!isBaseline(baseline)) {
      // No baseline yet (verified before this existed, or the capture at verification failed).
      await this.db.forTenant(tenantId, (scope) =>
        this.repo.setBaseline(scope, account.id, json(baselineOf(posture, 'first posture check')), at),
      );
      return 0;
    }
    const drifts = diffTrailBaseline(baseline, baselineOf(posture, '').trails);
    const fresh = drifts.filter((d) => !baseline.reported.includes(d.key));
    const owners = new Map<string, BucketOwnership>();
    for (const d of fresh) {
      const bucket = d.kind === 'bucket_changed' ? (d.after as { s3Bucket: string | null }).s3Bucket : null;
      if (!bucket || owners.has(bucket)) continue;
      const candidates = [account.awsAccountId ?? '', ...registered].filter((a) => a !== '');
      owners.set(bucket, await bucketOwnership(this.aws.clients, target, d.homeRegion, bucket, candidates));
    }
    return this.db.forTenant(tenantId, async (scope) => {
      for (const d of fresh) {
        const ownership = d.kind === 'bucket_changed' ? owners.get((d.after as { s3Bucket: string }).s3Bucket) : undefined;
        const rule = ownership && ownership.reason !== 'owned' ? FOREIGN_BUCKET_RULE : DRIFT_RULES[d.kind]!;
        await raiseStateFinding(scope, {
          rule,
          accountId: account.id,
          at,
          windowSeconds: this.runtime.config.FINDING_WINDOW_SECONDS,
          region: d.homeRegion,
          linkCause: true,
          causeMatches: causeOf(d),
          details: json({
            drift: d.kind,
            trail: { name: d.trailName, arn: d.trailArn, homeRegion: d.homeRegion },
            before: d.before,
            after: d.after,
            ...(ownership ? { bucketOwnership: ownership } : {}),
            baselineTakenAt: baseline.takenAt,
          }),
        });
      }
      // Remember what is drifted now: a drift that ends and comes back is reported again.
      await this.repo.setBaseline(scope, account.id, json({ ...baseline, reported: drifts.map((d) => d.key) }), new Date(baseline.takenAt));
      return fresh.length;
    });
  }
}
