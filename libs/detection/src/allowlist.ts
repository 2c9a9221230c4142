import type { Actor } from '@trailguard/cloudtrail';

export interface AllowlistRule {
  id: string;
  principalPattern: string;
  /** Empty: every rule. */
  ruleIds: readonly string[];
  expiresAt: Date | null;
}

const cache = new Map<string, RegExp>();

/** An ARN pattern where `*` matches any run of characters; everything else is literal. */
export function principalPatternRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    re = new RegExp(`^${body}$`);
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/**
 * The allowlist entry that covers this actor for this rule, if any. An assumed-role session is
 * covered by an entry naming either the session ARN or the role that issued it.
 */
export function findAllowlistEntry<E extends AllowlistRule>(
  entries: readonly E[],
  actor: Actor,
  ruleId: string,
  at: Date,
): E | undefined {
  const principals = [actor.arn, actor.roleArn].filter((p): p is string => p !== undefined);
  if (principals.length === 0) return undefined;
  return entries.find(
    (e) =>
      (e.expiresAt === null || e.expiresAt > at) &&
      (e.ruleIds.length === 0 || e.ruleIds.includes(ruleId)) &&
      principals.some((p) => principalPatternRegExp(e.principalPattern).test(p)),
  );
}
