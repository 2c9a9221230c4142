import { evaluateCorrelation, compileCorrelation, type CompiledCorrelation, type Trigger } from './correlation.engine';
import { InMemoryCorrelationStore, type CorrelationStore } from './correlation.store';
import { compileDetection, requiredLiterals } from './detection.compiler';
import type { CompileEnv, EventPredicate } from './field-condition.compiler';
import { documentKey, ruleInfo, type CorrelationAlert, type RuleInfo, type RuleMatch } from './rule-info';
import { SigmaError, type SigmaErrorCode, type SigmaPosition } from './sigma.errors';
import type { LogSource, SigmaCorrelation, SigmaDocument, SigmaFilter, SigmaRule } from './sigma.types';
import { buildLinePrefilter, rawLiterals, type LinePrefilter } from './line-prefilter';
import type { ExpandHook } from './value-pipeline';

export interface EngineOptions {
  /** alias -> native dotted path ('api.operation' -> 'eventName') */
  fieldAliases?: Readonly<Record<string, string>>;
  /** '%Administrators%' (with |expand) -> values; unknown -> [] */
  expand?: ExpandHook;
  /**
   * Meta filters. As in pySigma (SigmaFilter.apply_on_rule), a filter's condition is ANDed onto
   * every rule it applies to: rules it names by id or name whose logsource has every field the
   * filter's logsource sets.
   */
  filters?: readonly SigmaFilter[];
  /** default: new InMemoryCorrelationStore() */
  correlationStore?: CorrelationStore;
  /** default 'eventID' */
  idField?: string;
  /** default 'eventTime' */
  timestampField?: string;
}

export interface RuleSet {
  readonly rules: readonly RuleInfo[];
  readonly hasCorrelations: boolean;
  /** Synchronous and pure: base rules, with filters applied. */
  match(event: object): RuleMatch[];
  /** Feeds correlation state with this event's matches (from match()) and returns alerts. */
  correlate(event: object, matches: readonly RuleMatch[]): Promise<CorrelationAlert[]>;
  /** Non-fatal notes, e.g. a filter naming a rule that is not in the set. */
  readonly warnings: readonly string[];
  /**
   * For NDJSON readers: false when no rule (nor, therefore, correlation) can match the record on this
   * raw line, which then need not be parsed; true when it may (line-prefilter.ts). Undefined when
   * some rule could match any line.
   */
  readonly linePrefilter?: LinePrefilter;
}

interface CompiledRule {
  readonly order: number;
  readonly info: RuleInfo;
  predicate: EventPredicate;
  report: boolean;
}

const INDEX_FIELDS = { name: 'eventName', source: 'eventSource' } as const;
const MEMO_LIMIT = 20_000;

/**
 * Compiles documents into a RuleSet. Rules whose detection requires literal eventName (or, failing
 * that, eventSource) values are indexed by them, so an event is only tested against rules that can
 * match it plus the rules without such a literal.
 */
export function compileRuleSet(docs: readonly SigmaDocument[], options: EngineOptions = {}): RuleSet {
  const fieldAliases = options.fieldAliases ?? {};
  const idField = options.idField ?? 'eventID';
  const timestampField = options.timestampField ?? 'eventTime';
  const store = options.correlationStore ?? new InMemoryCorrelationStore();
  const warnings: string[] = [];
  const envFor = (doc: SigmaDocument): CompileEnv => ({
    fieldAliases,
    expand: options.expand,
    fail: (code: SigmaErrorCode, message: string, pos?: SigmaPosition): never => {
      throw new SigmaError(code, message, pos ?? doc.pos, doc.source);
    },
  });

  const ruleDocs = docs.filter((d): d is SigmaRule => d.kind === 'rule');
  const corrDocs = docs.filter((d): d is SigmaCorrelation => d.kind === 'correlation');
  const filterDocs = [...docs.filter((d): d is SigmaFilter => d.kind === 'filter'), ...(options.filters ?? [])];

  // Every id and name must point at one document.
  const byRef = new Map<string, SigmaRule | SigmaCorrelation>();
  for (const doc of [...ruleDocs, ...corrDocs]) {
    for (const ref of new Set([documentKey(doc), ...(doc.name ? [doc.name] : [])])) {
      if (byRef.has(ref)) throw new SigmaError('duplicate_rule', `two documents share the id or name "${ref}"`, doc.pos, doc.source);
      byRef.set(ref, doc);
    }
  }

  const compiled: CompiledRule[] = ruleDocs.map((doc, order) => ({
    order,
    info: ruleInfo(doc),
    predicate: compileDetection(doc.detection, envFor(doc)),
    report: true,
  }));
  const compiledByKey = new Map(compiled.map((r) => [r.info.id, r]));
  // Each filter is compiled on its own detection, so its identifiers never meet the rule's: the
  // rule's `them` cannot see them, and the filter's `them` means the filter's own.
  applyFilters(filterDocs, byRef, compiledByKey, (f) => compileDetection(f.detection, envFor(f)), warnings);

  const correlations = orderCorrelations(corrDocs, byRef).map((doc) => {
    const info = ruleInfo(doc);
    return compileCorrelation(doc, info, true, {
      fieldAliases,
      lookup: (ref) => {
        const target = byRef.get(ref);
        return target ? { key: documentKey(target), name: target.name, isCorrelation: target.kind === 'correlation' } : undefined;
      },
    });
  });
  // A rule or correlation feeding a correlation reports on its own only with `generate: true`.
  const referencedBy = new Map<string, boolean>();
  for (const corr of correlations) {
    for (const input of corr.inputs) referencedBy.set(input.key, (referencedBy.get(input.key) ?? false) || corr.doc.generate);
  }
  for (const rule of compiled) {
    const gen = referencedBy.get(rule.info.id);
    if (gen !== undefined) rule.report = gen;
  }
  const reportedCorrelations = new Set(correlations.filter((c) => referencedBy.get(c.info.id) ?? true).map((c) => c.info.id));

  const { dispatch, indexed, always } = buildDispatch(compiled, ruleDocs, fieldAliases);
  const linePrefilter = buildLinePrefilter(indexed, alwaysLiterals(always, ruleDocs));

  const match = (event: object): RuleMatch[] => {
    const candidates = dispatch(event as Record<string, unknown>);
    let out: RuleMatch[] | undefined;
    for (let i = 0; i < candidates.length; i++) {
      const rule = candidates[i]!;
      if (!rule.predicate(event)) continue;
      const m: RuleMatch = {
        ruleId: rule.info.id,
        ruleTitle: rule.info.title,
        level: rule.info.level,
        tags: rule.info.tags,
        report: rule.report,
      };
      if (rule.info.author !== undefined) m.author = rule.info.author;
      (out ??= []).push(m);
    }
    return out ?? [];
  };

  const correlate = async (event: object, matches: readonly RuleMatch[]): Promise<CorrelationAlert[]> => {
    if (correlations.length === 0 || matches.length === 0) return [];
    const e = event as Record<string, unknown>;
    const eventId = String(readPath(e, idField) ?? '');
    const ts = timestampOf(readPath(e, timestampField));
    const triggers: Trigger[] = matches.map((m) => ({ ruleKey: m.ruleId, eventIds: [eventId] }));
    const out: CorrelationAlert[] = [];
    for (const corr of correlations) {
      const alerts = await evaluateCorrelation(corr, event, ts, triggers, store);
      for (const alert of alerts) {
        triggers.push({ ruleKey: corr.info.id, eventIds: alert.eventIds, group: alert.group });
        if (reportedCorrelations.has(corr.info.id)) out.push(alert);
      }
    }
    return out;
  };

  return {
    rules: [...compiled.map((r) => r.info), ...correlations.map((c: CompiledCorrelation) => c.info)],
    hasCorrelations: correlations.length > 0,
    match,
    correlate,
    warnings,
    ...(linePrefilter ? { linePrefilter } : {}),
  };
}

/** The literals one of which any rule outside the index needs in an event's text; undefined if one has none. */
function alwaysLiterals(always: readonly CompiledRule[], docs: readonly SigmaRule[]): string[] | undefined {
  const out = new Set<string>();
  for (const rule of always) {
    const literals = rawLiterals(docs[rule.order]!.detection);
    if (literals === undefined) return undefined;
    for (const l of literals) out.add(l);
  }
  return [...out];
}

/**
 * (rule condition) and (filter condition), for every filter that applies to the rule. A filter that
 * names a rule absent from the set, a correlation, or a rule outside its logsource is a warning.
 */
function applyFilters(
  filters: readonly SigmaFilter[],
  byRef: ReadonlyMap<string, SigmaRule | SigmaCorrelation>,
  compiledByKey: ReadonlyMap<string, CompiledRule>,
  compileFilter: (filter: SigmaFilter) => EventPredicate,
  warnings: string[],
): void {
  for (const filter of filters) {
    const condition = compileFilter(filter);
    const applied = new Set<CompiledRule>();
    for (const ref of filter.rules) {
      const target = byRef.get(ref);
      if (target === undefined) {
        warnings.push(`filter "${filter.title}" names "${ref}", which is not a rule in this set`);
        continue;
      }
      if (target.kind !== 'rule') {
        warnings.push(`filter "${filter.title}" names "${ref}", a correlation; filters apply to detection rules only`);
        continue;
      }
      if (!logsourceCovers(filter.logsource, target.logsource)) {
        warnings.push(`filter "${filter.title}" names "${ref}", whose logsource is outside the filter's; it does not apply`);
        continue;
      }
      const rule = compiledByKey.get(documentKey(target));
      if (rule === undefined || applied.has(rule)) continue;
      applied.add(rule);
      const before = rule.predicate;
      rule.predicate = (e) => before(e) && condition(e);
    }
  }
}

/** pySigma's `rule.logsource in filter.logsource`: every field the filter sets, the rule has equal. */
export function logsourceCovers(filter: LogSource, rule: LogSource): boolean {
  for (const [key, value] of Object.entries(filter)) {
    if (key === 'definition' || value === undefined) continue;
    if (rule[key] !== value) return false;
  }
  return true;
}

function readPath(e: Record<string, unknown>, path: string): unknown {
  if (path in e) return e[path];
  let node: unknown = e;
  for (const seg of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  return node;
}

function timestampOf(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.abs(v) < 1e11 ? v * 1000 : v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  return Date.now();
}

/** Correlations that feed other correlations are evaluated first; cycles are rejected. */
function orderCorrelations(corrs: readonly SigmaCorrelation[], byRef: Map<string, SigmaRule | SigmaCorrelation>): SigmaCorrelation[] {
  const out: SigmaCorrelation[] = [];
  const state = new Map<SigmaCorrelation, 'visiting' | 'done'>();
  const visit = (c: SigmaCorrelation): void => {
    const s = state.get(c);
    if (s === 'done') return;
    if (s === 'visiting')
      throw new SigmaError('invalid_document', `correlation "${c.title}" refers to itself through its rules`, c.pos, c.source);
    state.set(c, 'visiting');
    for (const ref of c.correlation.rules) {
      const target = byRef.get(ref);
      if (target?.kind === 'correlation') visit(target);
    }
    state.set(c, 'done');
    out.push(c);
  };
  corrs.forEach(visit);
  return out;
}

type Dispatch = (event: Record<string, unknown>) => readonly CompiledRule[];

interface DispatchIndex {
  dispatch: Dispatch;
  /** Whether a rule indexed by eventName or eventSource could match these values. */
  indexed: (source: string, name: string) => boolean;
  /** Rules tried on every event. */
  always: readonly CompiledRule[];
}

function buildDispatch(
  compiled: readonly CompiledRule[],
  docs: readonly SigmaRule[],
  aliases: Readonly<Record<string, string>>,
): DispatchIndex {
  const byName = new Map<string, CompiledRule[]>();
  const bySource = new Map<string, CompiledRule[]>();
  const always: CompiledRule[] = [];
  const add = (map: Map<string, CompiledRule[]>, key: string, rule: CompiledRule): void => {
    const list = map.get(key);
    if (list) list.push(rule);
    else map.set(key, [rule]);
  };
  compiled.forEach((rule, i) => {
    const detection = docs[i]!.detection;
    const names = requiredLiterals(detection, INDEX_FIELDS.name, aliases);
    if (names) {
      for (const n of names) add(byName, n, rule);
      return;
    }
    const sources = requiredLiterals(detection, INDEX_FIELDS.source, aliases);
    if (sources) for (const s of sources) add(bySource, s, rule);
    else always.push(rule);
  });

  // Two-level memo (source, then name) so the hot path does no string building.
  const memo = new Map<string | undefined, Map<string | undefined, readonly CompiledRule[]>>();
  let memoSize = 0;
  const build = (source: string | undefined, name: string | undefined): readonly CompiledRule[] => {
    const parts = [always];
    if (name !== undefined) parts.push(byName.get(name.toLowerCase()) ?? []);
    if (source !== undefined) parts.push(bySource.get(source.toLowerCase()) ?? []);
    const merged = parts.filter((p) => p.length > 0);
    if (merged.length <= 1) return merged[0] ?? [];
    return [...new Set(merged.flat())].sort((a, b) => a.order - b.order);
  };
  const indexed = (source: string, name: string): boolean =>
    (byName.get(name.toLowerCase())?.length ?? 0) > 0 || (bySource.get(source.toLowerCase())?.length ?? 0) > 0;
  const dispatch: Dispatch = (event) => {
    const name = event[INDEX_FIELDS.name];
    const source = event[INDEX_FIELDS.source];
    if ((name !== undefined && typeof name !== 'string') || (source !== undefined && typeof source !== 'string')) {
      return compiled; // unusual shapes: test everything rather than guess
    }
    let byEventName = memo.get(source);
    if (!byEventName) {
      if (memoSize >= MEMO_LIMIT) {
        memo.clear();
        memoSize = 0;
      }
      memo.set(source, (byEventName = new Map()));
    }
    let rules = byEventName.get(name);
    if (!rules) {
      rules = build(source, name);
      if (memoSize++ >= MEMO_LIMIT) {
        memo.clear();
        memoSize = 0;
      }
      byEventName.set(name, rules);
    }
    return rules;
  };
  return { dispatch, indexed, always };
}
