import { FindingsRepository, type Finding, type Prisma, type Severity, type TenantScope } from '@trailguard/db';
import { findingView } from './finding-view';
import { SEVERITY_RANK, windowStartOf } from './finding-key';
import { TRAIL_CHANGE_RULE_IDS } from './posture-findings';

/**
 * Findings of the logging-integrity guard: drift of a trail from its baseline, digest validation
 * failures, delivery gaps. They are about state, not events, so they are raised like the posture
 * finding: once per (rule, account, actor, window), linked to the trail-change finding that
 * explains them when there is one.
 */
interface RuleDef {
  id: string;
  title: string;
  severity: Severity;
}

const TAGS = ['attack.defense-evasion', 'attack.t1562.008', 'attack.defense-impairment', 'attack.t1685.002'];

export const DRIFT_RULES: Record<string, RuleDef> = {
  trail_deleted: { id: '6f1c2b7e-0d3a-4e59-9a8b-1c2d3e4f5a01', title: 'CloudTrail trail deleted since its baseline', severity: 'high' },
  logging_stopped: {
    id: '6f1c2b7e-0d3a-4e59-9a8b-1c2d3e4f5a02',
    title: 'CloudTrail trail stopped logging since its baseline',
    severity: 'high',
  },
  multi_region_disabled: { id: '6f1c2b7e-0d3a-4e59-9a8b-1c2d3e4f5a03', title: 'CloudTrail trail no longer multi-region', severity: 'high' },
  bucket_changed: {
    id: '6f1c2b7e-0d3a-4e59-9a8b-1c2d3e4f5a04',
    title: 'CloudTrail trail delivers to another S3 bucket',
    severity: 'medium',
  },
  kms_key_changed: { id: '6f1c2b7e-0d3a-4e59-9a8b-1c2d3e4f5a05', title: 'CloudTrail trail KMS key changed', severity: 'medium' },
  validation_disabled: { id: '6f1c2b7e-0d3a-4e59-9a8b-1c2d3e4f5a06', title: 'CloudTrail log file validation disabled', severity: 'medium' },
  selectors_narrowed: { id: '6f1c2b7e-0d3a-4e59-9a8b-1c2d3e4f5a07', title: 'CloudTrail event selectors narrowed', severity: 'medium' },
  organization_trail_disabled: {
    id: '6f1c2b7e-0d3a-4e59-9a8b-1c2d3e4f5a08',
    title: 'CloudTrail trail no longer an organization trail',
    severity: 'medium',
  },
};
/** A bucket no registered account owns: the advisory's step 5, logs delivered to the attacker. */
export const FOREIGN_BUCKET_RULE: RuleDef = {
  id: '6f1c2b7e-0d3a-4e59-9a8b-1c2d3e4f5a09',
  title: "CloudTrail trail delivers to a bucket outside the tenant's accounts",
  severity: 'high',
};

export const INTEGRITY_RULES: Record<string, RuleDef> = {
  log_file_deleted: { id: '7a2d3c8f-1e4b-4f6a-8b9c-2d3e4f5a6b01', title: 'CloudTrail log file deleted after delivery', severity: 'high' },
  log_file_modified: { id: '7a2d3c8f-1e4b-4f6a-8b9c-2d3e4f5a6b02', title: 'CloudTrail log file modified after delivery', severity: 'high' },
  digest_missing: {
    id: '7a2d3c8f-1e4b-4f6a-8b9c-2d3e4f5a6b03',
    title: 'CloudTrail digest missing: the digest chain is broken',
    severity: 'high',
  },
  digest_invalid: { id: '7a2d3c8f-1e4b-4f6a-8b9c-2d3e4f5a6b04', title: 'CloudTrail digest signature does not verify', severity: 'high' },
  digest_delivery_stopped: { id: '7a2d3c8f-1e4b-4f6a-8b9c-2d3e4f5a6b05', title: 'CloudTrail digest delivery stopped', severity: 'medium' },
  delivery_gap: {
    id: '7a2d3c8f-1e4b-4f6a-8b9c-2d3e4f5a6b06',
    title: 'Region active but unlogged: no trail log file delivered',
    severity: 'high',
  },
};

export const LOGGING_INTEGRITY_RULE_IDS = [...Object.values(DRIFT_RULES), FOREIGN_BUCKET_RULE, ...Object.values(INTEGRITY_RULES)].map(
  (r) => r.id,
);

export interface StateFindingInput {
  rule: RuleDef;
  accountId: string;
  at: Date;
  windowSeconds: number;
  region?: string;
  details: Prisma.InputJsonObject;
  /** Link to the newest trail-change finding of the last day (the likely cause). */
  linkCause: boolean;
  /**
   * The CloudTrail call that explains this finding (e.g. UpdateTrail naming the new bucket): the
   * trail-change finding whose evidence holds such a record is preferred as the cause.
   */
  causeMatches?: (record: Record<string, unknown>) => boolean;
}

/** The recent trail-change finding whose evidence holds a record the predicate accepts, and that record's id. */
async function causeByEvidence(scope: TenantScope, input: StateFindingInput): Promise<{ finding: Finding; eventId: string } | null> {
  if (!input.causeMatches) return null;
  const findings = new FindingsRepository();
  const since = new Date(input.at.getTime() - 24 * 3600 * 1000);
  const recent = await scope.tx.finding.findMany({
    where: { tenantId: scope.tenantId, accountId: input.accountId, ruleId: { in: TRAIL_CHANGE_RULE_IDS }, lastSeenAt: { gte: since } },
    orderBy: [{ lastSeenAt: 'desc' }],
    take: 20,
  });
  // Alerted before suppressed, then the more specific rule (higher severity).
  const ranked = recent.sort(
    (a, b) =>
      Number(a.status === 'suppressed') - Number(b.status === 'suppressed') || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity],
  );
  for (const f of ranked) {
    const hit = (await findings.evidence(scope, f.id)).find((e) => e.record && input.causeMatches!(e.record as Record<string, unknown>));
    if (hit) return { finding: f, eventId: hit.eventId };
  }
  return null;
}

/** Raises one state finding, announces it when new, and returns it. */
export async function raiseStateFinding(scope: TenantScope, input: StateFindingInput): Promise<{ finding: Finding; created: boolean }> {
  const findings = new FindingsRepository();
  const byEvidence = input.linkCause ? await causeByEvidence(scope, input) : null;
  const cause = !input.linkCause
    ? null
    : (byEvidence?.finding ??
      (await findings.latestForRules(scope, input.accountId, TRAIL_CHANGE_RULE_IDS, new Date(input.at.getTime() - 24 * 3600 * 1000))));
  const causeEvents = byEvidence ? [byEvidence.eventId] : cause ? (await findings.evidence(scope, cause.id, 5)).map((e) => e.eventId) : [];
  const region = input.region ?? cause?.region ?? undefined;
  const result = await findings.raise(scope, {
    kind: 'posture',
    ruleId: input.rule.id,
    ruleTitle: input.rule.title,
    severity: input.rule.severity,
    accountId: input.accountId,
    actor: cause?.actor ?? 'unknown',
    windowStart: windowStartOf(input.at, input.windowSeconds),
    tags: TAGS,
    ...(region ? { region } : {}),
    ...(cause ? { relatedFindingId: cause.id } : {}),
    details: {
      ...input.details,
      cause: cause ? { findingId: cause.id, ruleTitle: cause.ruleTitle, eventIds: causeEvents } : null,
      // How the cause was chosen; a trail-change finding detected later re-links only "latest" ones.
      causeBy: !input.linkCause ? 'none' : byEvidence ? 'evidence' : 'latest',
    },
    at: input.at,
  });
  // Through the findings repository's one "finding changed" path. The same finding again within
  // its window (e.g. more log files deleted) keeps what this run saw in its activity.
  await findings.recordChanges(scope, [
    result.created
      ? {
          findingId: result.finding.id,
          activity: { type: 'created', actor: 'trailguard', data: { relatedFindingId: result.finding.relatedFindingId } },
          event: { type: 'finding.created', data: findingView(result.finding) as unknown as Prisma.InputJsonObject },
        }
      : { findingId: result.finding.id, activity: { type: 'seen_again', actor: 'trailguard', data: input.details } },
  ]);
  return result;
}
