import type { Actor } from '@trailguard/cloudtrail';
import { wildcardMatch } from '@trailguard/sigma';

export interface AllowlistRule {
  id: string;
  principalPattern: string;
  /** Empty: every rule. */
  ruleIds: readonly string[];
  expiresAt: Date | null;
}

/**
 * Whether an ARN pattern (`*` matches any run of characters; everything else is literal) covers
 * this principal. Both sides are tenant-chosen (the pattern by the API, the ARN by an upload), so
 * the match is the linear-time glob, never a backtracking RegExp.
 */
export function principalPatternMatches(pattern: string, principal: string): boolean {
  return wildcardMatch(pattern, principal);
}

/**
 * The allowlist entry that covers this actor for this rule, if any. An assumed-role session is
 * covered by an entry naming either the session ARN or the role that issued it.
 */
export function findAllowlistEntry<E extends AllowlistRule>(entries: readonly E[], actor: Actor, ruleId: string, at: Date): E | undefined {
  const principals = [actor.arn, actor.roleArn].filter((p): p is string => p !== undefined);
  if (principals.length === 0) return undefined;
  return entries.find(
    (e) =>
      (e.expiresAt === null || e.expiresAt > at) &&
      (e.ruleIds.length === 0 || e.ruleIds.includes(ruleId)) &&
      principals.some((p) => principalPatternMatches(e.principalPattern, p)),
  );
}
