export { findAllowlistEntry, principalPatternRegExp, type AllowlistRule } from './allowlist';
export { actorKey, eventTimeOf, severityOf, windowStartOf, SEVERITY_RANK, type Severity } from './finding-key';
export { buildTenantRuleSet, type RuleSetting, type TenantRuleSet, type TenantRuleSetInput } from './tenant-rule-set';
