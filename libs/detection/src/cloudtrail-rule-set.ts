import { OCSF_FIELD_ALIASES } from '@trailguard/cloudtrail';
import {
  compileRuleSet,
  type CorrelationStore,
  type ExpandHook,
  type RuleSet,
  type SigmaDocument,
  type SigmaFilter,
} from '@trailguard/sigma';

/** `%name%` placeholder values by name (with or without the percent signs; names ignore case). */
export type Placeholders = ReadonlyMap<string, readonly string[]> | Readonly<Record<string, readonly string[]>>;

export interface CloudTrailRuleSetInput {
  /** Rules, correlations and filters, in order: built-ins first, then the tenant's or the files'. */
  documents: readonly SigmaDocument[];
  /** Filters from elsewhere (`trailguard scan --filter`, a tenant's stored filters). */
  filters?: readonly SigmaFilter[];
  /** The only placeholders `|expand` may use; any other rejects the rule that names it. */
  placeholders?: Placeholders;
  correlationStore?: CorrelationStore;
}

const placeholderKey = (name: string): string => name.replace(/^%|%$/g, '').toLowerCase();

export function placeholderHook(placeholders: Placeholders = {}): ExpandHook {
  const entries = placeholders instanceof Map ? [...placeholders.entries()] : Object.entries(placeholders);
  const byKey = new Map(entries.map(([name, values]) => [placeholderKey(name), values] as const));
  return (placeholder) => byKey.get(placeholderKey(placeholder));
}

/**
 * The one way a CloudTrail rule set is compiled, for the CLI, the API's validation and dry runs,
 * and the worker: native and OCSF field names, filters ANDed onto the rules they name, and
 * placeholders resolved only from what the caller knows (an unresolved one rejects its rule).
 */
export function compileCloudTrailRuleSet(input: CloudTrailRuleSetInput): RuleSet {
  const filters = [...input.documents.filter((d): d is SigmaFilter => d.kind === 'filter'), ...(input.filters ?? [])];
  return compileRuleSet(
    input.documents.filter((d) => d.kind !== 'filter'),
    {
      fieldAliases: OCSF_FIELD_ALIASES,
      filters,
      expand: placeholderHook(input.placeholders),
      ...(input.correlationStore ? { correlationStore: input.correlationStore } : {}),
    },
  );
}
