export { SigmaError, type SigmaErrorCode, type SigmaPosition } from './sigma.errors';
export type {
  ConditionNode,
  CorrelationCondition,
  CorrelationType,
  Detection,
  FieldCondition,
  LogSource,
  ModifierName,
  RelatedRule,
  SearchIdentifier,
  SearchMap,
  SigmaCorrelation,
  SigmaDocument,
  SigmaFilter,
  SigmaLevel,
  SigmaRule,
  SigmaScalar,
  SigmaStatus,
} from './sigma.types';
export { MODIFIERS } from './sigma.types';
export { parseSigma, parseTimespan } from './document.parser';
export { compileRuleSet, type EngineOptions, type RuleSet } from './rule-set';
export type { CorrelationAlert, RuleInfo, RuleMatch } from './rule-info';
export { InMemoryCorrelationStore, type CorrelationEntry, type CorrelationStore } from './correlation.store';
export { loadBuiltinRules, BUILTIN_RULES_DIR } from './builtin-rules';
export { withAttackAliases } from './tags';
export type { ExpandHook } from './value-pipeline';
export type { LinePrefilter } from './line-prefilter';
export { wildcardMatch, wildcardMatcher } from './wildcard';
