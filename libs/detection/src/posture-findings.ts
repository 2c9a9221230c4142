import { FindingsRepository, type Finding, type Prisma, type SqlScope, type TenantScope } from '@trailguard/db';
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
    await findings.recordChanges(scope, [
      {
        findingId: finding.id,
        activity: { type: 'created', actor: 'trailguard', data: { relatedFindingId: finding.relatedFindingId } },
        event: { type: 'finding.created', data: findingView(finding) as unknown as Prisma.InputJsonObject },
      },
    ]);
  }
  return finding;
}

/** A finding of one of the trail-change rules: a candidate cause of a posture finding. */
export function isTrailChange(f: Pick<Finding, 'ruleId'>): boolean {
  return TRAIL_CHANGE_RULE_IDS.includes(f.ruleId);
}

/**
 * A trail-change finding that arrives after the posture check (polling lags the posture read)
 * becomes the cause of the account's recent posture finding, unless that one already points at
 * an alerted cause at least as severe. Suppressed causes (an allowlisted admin) give way. The SQL
 * lives in the findings repository (FindingsRepository.linkPostureCauses).
 */
export async function linkPostureCause(scope: SqlScope, cause: Finding): Promise<void> {
  if (!isTrailChange(cause)) return;
  await new FindingsRepository().linkPostureCauses(scope, [cause]);
}
