import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { toAwsIngestError } from '../aws.errors';
import type { CustomerAwsClients } from '../clients/customer-aws-clients';
import type { AssumeRoleTarget } from '../credentials/assumed-credentials-cache';
import type { TrailPosture, TrailSelectors } from './trail-posture';

/** One trail's configuration as the baseline records it. */
export interface TrailConfig {
  arn: string;
  name: string;
  homeRegion: string;
  isMultiRegion: boolean;
  isLogging: boolean;
  s3Bucket: string | null;
  s3KeyPrefix: string | null;
  kmsKeyId: string | null;
  logFileValidation: boolean;
  isOrganizationTrail: boolean;
  selectors: TrailSelectors;
}

/** The accepted configuration of an account's trails, and the drifts already reported against it. */
export interface TrailBaseline {
  takenAt: string;
  /** "verification", or the admin who accepted the current state. */
  takenBy: string;
  trails: TrailConfig[];
  /** Keys of drifts already raised, so a lasting drift is one finding, not one per posture run. */
  reported: string[];
}

export const DRIFT_KINDS = [
  'trail_deleted',
  'logging_stopped',
  'multi_region_disabled',
  'bucket_changed',
  'kms_key_changed',
  'validation_disabled',
  'selectors_narrowed',
  'organization_trail_disabled',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface TrailDrift {
  kind: DriftKind;
  trailArn: string;
  trailName: string;
  homeRegion: string;
  before: unknown;
  after: unknown;
  /** Stable while the drift lasts; a further change of the same setting is a new drift. */
  key: string;
}

const ALL_SELECTORS: TrailSelectors = { includeManagementEvents: true, readWriteType: 'All', dataResources: [], advanced: null };

export function baselineOf(posture: TrailPosture, takenBy: string): TrailBaseline {
  return {
    takenAt: posture.checkedAt,
    takenBy,
    // Shadow copies of multi-region trails appear once per region read; the ARN names the trail.
    trails: [...new Map(posture.trails.map((t) => [t.arn, t])).values()].map((t) => ({
      arn: t.arn,
      name: t.name,
      homeRegion: t.homeRegion,
      isMultiRegion: t.isMultiRegion,
      isLogging: t.isLogging,
      s3Bucket: t.s3Bucket,
      s3KeyPrefix: t.s3KeyPrefix ?? null,
      kmsKeyId: t.kmsKeyId ?? null,
      logFileValidation: t.logFileValidation ?? false,
      isOrganizationTrail: t.isOrganizationTrail ?? false,
      selectors: t.selectors ?? { ...ALL_SELECTORS, includeManagementEvents: t.includeManagementEvents },
    })),
    reported: [],
  };
}

function narrowed(before: TrailSelectors, after: TrailSelectors): boolean {
  if (before.includeManagementEvents && !after.includeManagementEvents) return true;
  if (before.readWriteType !== after.readWriteType && before.readWriteType !== 'ReadOnly' && after.readWriteType !== 'All') {
    // All -> ReadOnly/WriteOnly, or WriteOnly -> ReadOnly: fewer calls reach the trail.
    return true;
  }
  if (before.dataResources.some((d) => !after.dataResources.includes(d))) return true;
  // Advanced selectors cannot be ordered by coverage cheaply: any change is reported.
  return before.advanced !== after.advanced && before.advanced !== null;
}

/**
 * Every way the current trails fall short of the baseline. Pure: `current` comes from the
 * posture read, so a trail missing from it was deleted (or moved out of reach of the role).
 */
export function diffTrailBaseline(baseline: Pick<TrailBaseline, 'trails'>, current: TrailBaseline['trails']): TrailDrift[] {
  const drifts: TrailDrift[] = [];
  const byArn = new Map(current.map((t) => [t.arn, t]));
  for (const b of baseline.trails) {
    const c = byArn.get(b.arn);
    const add = (kind: DriftKind, before: unknown, after: unknown) =>
      drifts.push({
        kind,
        trailArn: b.arn,
        trailName: b.name,
        homeRegion: b.homeRegion,
        before,
        after,
        key: `${kind}|${b.arn}|${JSON.stringify(after)}`,
      });
    if (!c) {
      add('trail_deleted', { name: b.name, s3Bucket: b.s3Bucket, isMultiRegion: b.isMultiRegion }, null);
      continue;
    }
    if (b.isLogging && !c.isLogging) add('logging_stopped', true, false);
    if (b.isMultiRegion && !c.isMultiRegion) add('multi_region_disabled', true, false);
    if (b.s3Bucket !== c.s3Bucket || (b.s3KeyPrefix ?? null) !== (c.s3KeyPrefix ?? null)) {
      add('bucket_changed', { s3Bucket: b.s3Bucket, s3KeyPrefix: b.s3KeyPrefix }, { s3Bucket: c.s3Bucket, s3KeyPrefix: c.s3KeyPrefix });
    }
    if ((b.kmsKeyId ?? null) !== (c.kmsKeyId ?? null)) add('kms_key_changed', b.kmsKeyId, c.kmsKeyId);
    if (b.logFileValidation && !c.logFileValidation) add('validation_disabled', true, false);
    if (narrowed(b.selectors, c.selectors)) add('selectors_narrowed', b.selectors, c.selectors);
    if (b.isOrganizationTrail && !c.isOrganizationTrail) add('organization_trail_disabled', true, false);
  }
  return drifts;
}

export interface BucketOwnership {
  bucket: string;
  /** The registered account HeadBucket confirmed as owner, or null when none could be confirmed. */
  confirmedOwner: string | null;
  /** Why no owner was confirmed: the bucket is missing, or owned by someone else (or unreadable). */
  reason: 'owned' | 'no_such_bucket' | 'not_owned_by_registered_accounts';
}

/**
 * Who owns a trail's bucket, asked the only way S3 answers it: HeadBucket with
 * ExpectedBucketOwner, which S3 refuses (403) unless the bucket belongs to that account. The
 * customer's own account is tried first, then the tenant's other registered accounts.
 */
export async function bucketOwnership(
  clients: CustomerAwsClients,
  target: AssumeRoleTarget,
  region: string,
  bucket: string,
  candidates: readonly string[],
): Promise<BucketOwnership> {
  for (const owner of [...new Set(candidates)]) {
    try {
      // Not through withCredentialRetry: its error keeps no HTTP status, and a HEAD answer has
      // nothing else (the SDK names it after the status, or "Unknown").
      await clients.s3(target, region).send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: owner }));
      return { bucket, confirmedOwner: owner, reason: 'owned' };
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const e = toAwsIngestError(err, 's3:ListBucket');
      if (status === 404 || e.code === 'not_found') return { bucket, confirmedOwner: null, reason: 'no_such_bucket' };
      if (status !== 403 && e.code !== 'access_denied') throw e;
    }
  }
  return { bucket, confirmedOwner: null, reason: 'not_owned_by_registered_accounts' };
}
