import type { CorrelationStore, RuleInfo, RuleSet, SigmaDocument } from '@trailguard/sigma';
import { compileCloudTrailRuleSet } from './cloudtrail-rule-set';
import type { Severity } from './finding-key';
import { isAlertingRule } from './quiet-rules';

export interface RuleSetting {
  enabled: boolean;
  levelOverride: Severity | null;
  /** Whether findings are sent as webhooks; null or absent: the shipped default (quiet-rules.ts). */
  alerting?: boolean | null;
}

export interface TenantRuleSetInput {
  builtin: readonly SigmaDocument[];
  /** The tenant's rules, correlations and filters. */
  custom: readonly SigmaDocument[];
  settings: ReadonlyMap<string, RuleSetting>;
  /** Principal patterns of the tenant's live allowlist entries: the `%Administrators%` placeholder. */
  administrators: readonly string[];
  correlationStore?: CorrelationStore;
}

export interface TenantRuleSet {
  ruleSet: RuleSet;
  rules: readonly RuleInfo[];
  isEnabled(ruleId: string): boolean;
  levelOverride(ruleId: string): Severity | null;
  /** Enabled-but-quiet rules still make findings; only alerting ones reach webhooks. */
  isAlerting(ruleId: string): boolean;
}

/**
 * One tenant's engine: built-in plus custom rules, compiled once. Disabled rules stay compiled
 * (a correlation may still need their matches) and are dropped from what is reported.
 */
export function buildTenantRuleSet(input: TenantRuleSetInput): TenantRuleSet {
  const ruleSet = compileCloudTrailRuleSet({
    documents: [...input.builtin, ...input.custom],
    placeholders: serverPlaceholders(input.administrators),
    ...(input.correlationStore ? { correlationStore: input.correlationStore } : {}),
  });
  return {
    ruleSet,
    rules: ruleSet.rules,
    isEnabled: (id) => input.settings.get(id)?.enabled ?? true,
    levelOverride: (id) => input.settings.get(id)?.levelOverride ?? null,
    isAlerting: (id) => isAlertingRule(id, input.settings.get(id)?.alerting),
  };
}

/** The server resolves one placeholder: `%Administrators%`, the tenant's live allowlist patterns. */
export function serverPlaceholders(administrators: readonly string[]): Record<string, readonly string[]> {
  return { Administrators: administrators };
}
