export { findAllowlistEntry, principalPatternMatches, type AllowlistRule } from './allowlist';
export { actorKey, eventTimeOf, severityOf, windowStartOf, SEVERITY_RANK, type Severity } from './finding-key';
export { buildTenantRuleSet, serverPlaceholders, type RuleSetting, type TenantRuleSet, type TenantRuleSetInput } from './tenant-rule-set';
export { compileCloudTrailRuleSet, placeholderHook, type CloudTrailRuleSetInput, type Placeholders } from './cloudtrail-rule-set';
export { RedisCorrelationStore, correlationPrefix } from './redis-correlation.store';
export { TenantRulesLoader, builtinRules, rulesVersionKey, type LoadedTenantRules } from './tenant-rules.loader';
export { findingView, type FindingView } from './finding-view';
export {
  raisePostureFinding,
  linkPostureCause,
  isTrailChange,
  POSTURE_RULE_ID,
  POSTURE_RULE_TITLE,
  TRAIL_CHANGE_RULE_IDS,
} from './posture-findings';
export { ocsfDetectionFinding, ocsfAttacks, OCSF_VERSION, type OcsfEvidenceInput } from './ocsf-detection-finding';
export {
  raiseStateFinding,
  DRIFT_RULES,
  FOREIGN_BUCKET_RULE,
  INTEGRITY_RULES,
  LOGGING_INTEGRITY_RULE_IDS,
  type StateFindingInput,
} from './integrity-findings';
export { QUIET_BY_DEFAULT, isAlertingRule } from './quiet-rules';
export {
  groupFindingAlerts,
  alertEventData,
  ALERT_GROUP_FIELD,
  type AlertCandidate,
  type AlertGroup,
  type FindingAlert,
} from './alert-groups';
