import type { SigmaPosition } from './sigma.errors';

/** Scalar values as YAML gives them; `null` is Sigma's "field is null". */
export type SigmaScalar = string | number | boolean | null;

export const MODIFIERS = [
  'contains',
  'startswith',
  'endswith',
  'all',
  'exists',
  'cased',
  'neq',
  'windash',
  're',
  'i',
  'm',
  's',
  'base64',
  'base64offset',
  'utf16le',
  'utf16be',
  'utf16',
  'wide',
  'lt',
  'lte',
  'gt',
  'gte',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  'cidr',
  'expand',
  'fieldref',
] as const;
export type ModifierName = (typeof MODIFIERS)[number];

/** One `field|mod1|mod2: value(s)` entry; `field === null` is a keyword (whole-event) search. */
export interface FieldCondition {
  readonly kind: 'field';
  readonly field: string | null;
  readonly modifiers: readonly ModifierName[];
  readonly values: readonly SigmaScalar[];
  readonly valuePositions: readonly SigmaPosition[];
  readonly pos: SigmaPosition;
}

/** A map of a search identifier: all its entries must hold. */
export interface SearchMap {
  readonly kind: 'map';
  readonly conditions: readonly FieldCondition[];
  readonly pos: SigmaPosition;
}

/** A search identifier is an OR over its items (a single map has one item). */
export interface SearchIdentifier {
  readonly name: string;
  readonly items: readonly SearchMap[];
  readonly pos: SigmaPosition;
}

export type ConditionNode =
  | { readonly kind: 'or'; readonly operands: readonly ConditionNode[] }
  | { readonly kind: 'and'; readonly operands: readonly ConditionNode[] }
  | { readonly kind: 'not'; readonly operand: ConditionNode }
  | { readonly kind: 'identifier'; readonly name: string; readonly pos: SigmaPosition }
  | {
      readonly kind: 'quantified';
      readonly quantifier: 'one' | 'all';
      /** 'them' or a pattern with `*` wildcards; already resolved into `names`. */
      readonly pattern: string;
      readonly names: readonly string[];
      readonly pos: SigmaPosition;
    };

export interface Detection {
  readonly identifiers: ReadonlyMap<string, SearchIdentifier>;
  /** A list of conditions is an OR of them. */
  readonly conditions: readonly ConditionNode[];
  readonly conditionText: readonly string[];
}

export interface LogSource {
  readonly category?: string;
  readonly product?: string;
  readonly service?: string;
  readonly definition?: string;
  readonly [key: string]: string | undefined;
}

export interface RelatedRule {
  readonly id: string;
  readonly type: 'derived' | 'obsolete' | 'merged' | 'renamed' | 'similar';
}

interface DocumentBase {
  readonly id?: string;
  readonly name?: string;
  readonly title: string;
  readonly description?: string;
  readonly author?: string;
  readonly date?: string;
  readonly modified?: string;
  readonly taxonomy?: string;
  /** File name or label given to parseSigma. */
  readonly source?: string;
  /** Position of the document's first key. */
  readonly pos: SigmaPosition;
}

export type SigmaLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';
export type SigmaStatus = 'stable' | 'test' | 'experimental' | 'deprecated' | 'unsupported';

export interface SigmaRule extends DocumentBase {
  readonly kind: 'rule';
  readonly status?: SigmaStatus;
  readonly level?: SigmaLevel;
  readonly license?: string;
  readonly references: readonly string[];
  readonly tags: readonly string[];
  readonly related: readonly RelatedRule[];
  readonly logsource: LogSource;
  readonly detection: Detection;
  readonly fields: readonly string[];
  readonly falsepositives: readonly string[];
  readonly scope: readonly string[];
  /** Keys the specification does not define, kept as plain values. */
  readonly custom: Readonly<Record<string, unknown>>;
}

export interface SigmaFilter extends DocumentBase {
  readonly kind: 'filter';
  readonly logsource: LogSource;
  /** Ids or names of the rules the filter applies to. */
  readonly rules: readonly string[];
  readonly detection: Detection;
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';

export interface CorrelationCondition {
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
  readonly eq?: number;
  readonly neq?: number;
  /** value_count only: the field(s) whose distinct values are counted. */
  readonly field?: readonly string[];
}

export interface SigmaCorrelation extends DocumentBase {
  readonly kind: 'correlation';
  readonly status?: SigmaStatus;
  readonly level?: SigmaLevel;
  readonly references: readonly string[];
  readonly tags: readonly string[];
  readonly falsepositives: readonly string[];
  readonly generate: boolean;
  readonly correlation: {
    readonly type: CorrelationType;
    readonly rules: readonly string[];
    readonly groupBy: readonly string[];
    readonly timespan: string;
    readonly timespanMs: number;
    readonly condition?: CorrelationCondition;
    /** alias -> (rule name -> field) */
    readonly aliases: Readonly<Record<string, Readonly<Record<string, string>>>>;
  };
}

export type SigmaDocument = SigmaRule | SigmaCorrelation | SigmaFilter;
