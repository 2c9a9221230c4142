import { DomainEventsRepository, FindingsRepository, type Finding, type Prisma, type TenantScope } from '@trailguard/db';
import { findingView } from './finding-view';
import { windowStartOf } from './finding-key';

/** The posture detection: no multi-region trail is logging in the account. */
export const POSTURE_RULE_ID = 'a8e0c5d2-7f3b-4c1e-9d6a-2b5f8e4c7a10';
export const POSTURE_RULE_TITLE = 'No multi-region CloudTrail trail is logging';

/** Rules whose findings explain a lost trail: the seed UpdateTrail rules and SigmaHQ's trail-change rule. */
export const TRAIL_CHANGE_RULE_IDS = [
  'f8caffc2-4021-4ca4-85bc-b7f38a4c9e20',
  '87546f43-10bd-43ab-925d-49e334f42335',
  '4db60cc0-36fb-42b7-9b58-a5b53019fb74',
];

/**
 * Raises the posture finding of an account (once per window) and links it to the newest
 * trail-change finding of the last day, which is usually what caused it. Runs inside the
 * transaction that stores the new posture.
 */
export async function raisePostureFinding(
  scope: TenantScope,
  input: { accountId: string; posture: Prisma.InputJsonObject; at: Date; windowSeconds: number },
): Promise<Finding> {
  const findings = new FindingsRepository();
  const since = new Date(input.at.getTime() - 24 * 3600 * 1000);
  const cause = await findings.latestForRules(scope, input.accountId, TRAIL_CHANGE_RULE_IDS, since);
  const { finding, created } = await findings.raise(scope, {
    kind: 'posture',
    ruleId: POSTURE_RULE_ID,
    ruleTitle: POSTURE_RULE_TITLE,
    severity: 'high',
    accountId: input.accountId,
    actor: cause?.actor ?? 'unknown',
    windowStart: windowStartOf(input.at, input.windowSeconds),
    tags: ['attack.defense-evasion', 'attack.t1562.008', 'attack.defense-impairment', 'attack.t1685.002'],
    ...(cause?.region ? { region: cause.region } : {}),
    ...(cause ? { relatedFindingId: cause.id } : {}),
    details: { posture: input.posture, cause: cause ? { findingId: cause.id, ruleTitle: cause.ruleTitle } : null },
    at: input.at,
  });
  if (created) {
    await findings.addActivity(scope, finding.id, 'created', 'trailguard', { relatedFindingId: finding.relatedFindingId });
    await new DomainEventsRepository().record(scope, 'finding.created', findingView(finding) as unknown as Prisma.InputJsonObject);
  }
  return finding;
}

/**
 * A trail-change finding that arrives after the posture check (polling lags the posture read)
 * becomes the cause of the account's recent posture finding, unless that one already points at
 * an alerted cause at least as severe. Suppressed causes (an allowlisted admin) give way.
 */
export async function linkPostureCause(scope: TenantScope, cause: Finding): Promise<void> {
  if (!TRAIL_CHANGE_RULE_IDS.includes(cause.ruleId) || cause.status === 'suppressed' || !cause.accountId) return;
  await scope.tx.$executeRaw`
    UPDATE findings AS p SET related_finding_id = ${cause.id}::uuid, updated_at = now()
    WHERE p.tenant_id = ${scope.tenantId}::uuid AND p.kind = 'posture' AND p.account_id = ${cause.accountId}::uuid
      AND p.last_seen_at >= ${cause.firstSeenAt}::timestamptz - interval '1 hour'
      AND p.last_seen_at <= ${cause.lastSeenAt}::timestamptz + interval '24 hours'
      AND (p.related_finding_id IS NULL OR EXISTS (
        SELECT 1 FROM findings c WHERE c.tenant_id = p.tenant_id AND c.id = p.related_finding_id
          AND (c.status = 'suppressed' OR c.severity < ${cause.severity}::"Severity")))`;
}
