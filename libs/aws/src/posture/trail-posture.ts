import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type GetEventSelectorsCommandOutput,
} from '@aws-sdk/client-cloudtrail';
import type { CustomerAwsClients } from '../clients/customer-aws-clients';
import { withCredentialRetry } from '../clients/with-credential-retry';
import type { AssumeRoleTarget } from '../credentials/assumed-credentials-cache';

export interface TrailPostureEntry {
  name: string;
  arn: string;
  homeRegion: string;
  isMultiRegion: boolean;
  isLogging: boolean;
  includeManagementEvents: boolean;
  s3Bucket: string | null;
  /** The rest of the configuration a trail baseline records (see trail-baseline.ts). */
  s3KeyPrefix?: string | null;
  kmsKeyId?: string | null;
  logFileValidation?: boolean;
  isOrganizationTrail?: boolean;
  selectors?: TrailSelectors;
}

/** Event selectors reduced to what decides coverage; advanced selectors kept as canonical JSON. */
export interface TrailSelectors {
  includeManagementEvents: boolean;
  readWriteType: string;
  dataResources: string[];
  advanced: string | null;
}

export function summarizeSelectors(selectors: GetEventSelectorsCommandOutput): TrailSelectors {
  const classic = selectors.EventSelectors ?? [];
  const rw = new Set(classic.map((s) => s.ReadWriteType ?? 'All'));
  return {
    includeManagementEvents: includesManagementEvents(selectors),
    readWriteType: rw.has('All') || (rw.has('ReadOnly') && rw.has('WriteOnly')) || rw.size === 0 ? 'All' : [...rw][0]!,
    dataResources: classic.flatMap((s) => (s.DataResources ?? []).flatMap((d) => (d.Values ?? []).map((v) => `${d.Type}:${v}`))).sort(),
    advanced:
      selectors.AdvancedEventSelectors && selectors.AdvancedEventSelectors.length > 0
        ? JSON.stringify(selectors.AdvancedEventSelectors)
        : null,
  };
}

export interface TrailPosture {
  accountId: string;
  checkedAt: string;
  trails: TrailPostureEntry[];
  /** A multi-region trail is logging management events: every region's API calls reach a trail. */
  hasLoggingMultiRegionTrail: boolean;
}

/** Management events are on with classic selectors that include them or advanced ones selecting them. */
export function includesManagementEvents(selectors: GetEventSelectorsCommandOutput): boolean {
  if (selectors.AdvancedEventSelectors && selectors.AdvancedEventSelectors.length > 0) {
    return selectors.AdvancedEventSelectors.some((s) =>
      (s.FieldSelectors ?? []).some((f) => f.Field === 'eventCategory' && (f.Equals ?? []).includes('Management')),
    );
  }
  return (selectors.EventSelectors ?? []).some((s) => s.IncludeManagementEvents !== false);
}

/**
 * DescribeTrails (with shadow trails, so multi-region trails homed elsewhere count) then, per
 * trail in its home region, GetTrailStatus and GetEventSelectors.
 */
export async function readTrailPosture(
  clients: CustomerAwsClients,
  target: AssumeRoleTarget,
  accountId: string,
  region: string,
): Promise<TrailPosture> {
  const described = await withCredentialRetry(clients, target, 'cloudtrail:DescribeTrails', () =>
    clients.cloudTrail(target, region).send(new DescribeTrailsCommand({ includeShadowTrails: true })),
  );
  const trails: TrailPostureEntry[] = [];
  for (const t of described.trailList ?? []) {
    if (!t.TrailARN || !t.Name) continue;
    const arn = t.TrailARN;
    const homeRegion = t.HomeRegion ?? region;
    const status = await withCredentialRetry(clients, target, 'cloudtrail:GetTrailStatus', () =>
      clients.cloudTrail(target, homeRegion).send(new GetTrailStatusCommand({ Name: arn })),
    );
    const selectors = await withCredentialRetry(clients, target, 'cloudtrail:GetEventSelectors', () =>
      clients.cloudTrail(target, homeRegion).send(new GetEventSelectorsCommand({ TrailName: arn })),
    );
    trails.push({
      name: t.Name,
      arn,
      homeRegion,
      isMultiRegion: t.IsMultiRegionTrail === true,
      isLogging: status.IsLogging === true,
      includeManagementEvents: includesManagementEvents(selectors),
      s3Bucket: t.S3BucketName ?? null,
      s3KeyPrefix: t.S3KeyPrefix ?? null,
      kmsKeyId: t.KmsKeyId ?? null,
      logFileValidation: t.LogFileValidationEnabled === true,
      isOrganizationTrail: t.IsOrganizationTrail === true,
      selectors: summarizeSelectors(selectors),
    });
  }
  return {
    accountId,
    checkedAt: new Date().toISOString(),
    trails,
    hasLoggingMultiRegionTrail: trails.some((t) => t.isMultiRegion && t.isLogging && t.includeManagementEvents),
  };
}
