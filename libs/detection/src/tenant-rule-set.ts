import { OCSF_FIELD_ALIASES } from '@trailguard/cloudtrail';
import {
  compileRuleSet,
  type CorrelationStore,
  type RuleInfo,
  type RuleSet,
  type SigmaDocument,
} from '@trailguard/sigma';
import type { Severity } from './finding-key';

export interface RuleSetting {
  enabled: boolean;
  levelOverride: Severity | null;
}

export interface TenantRuleSetInput {
  builtin: readonly SigmaDocument[];
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
}

/**
 * One tenant's engine: built-in plus custom rules, compiled once. Disabled rules stay compiled
 * (a correlation may still need their matches) and are dropped from what is reported.
 */
export function buildTenantRuleSet(input: TenantRuleSetInput): TenantRuleSet {
  const ruleSet = compileRuleSet([...input.builtin, ...input.custom], {
    fieldAliases: OCSF_FIELD_ALIASES,
    expand: (placeholder) => (placeholder.toLowerCase() === '%administrators%' ? input.administrators : []),
    ...(input.correlationStore ? { correlationStore: input.correlationStore } : {}),
  });
  return {
    ruleSet,
    rules: ruleSet.rules,
    isEnabled: (id) => input.settings.get(id)?.enabled ?? true,
    levelOverride: (id) => input.settings.get(id)?.levelOverride ?? null,
  };
}
