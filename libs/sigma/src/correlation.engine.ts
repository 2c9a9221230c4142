import type { CorrelationEntry, CorrelationStore } from './correlation.store';
import { makeGetter, stringForm, type FieldGetter } from './field-access';
import { resolveFieldPath } from './field-condition.compiler';
import type { CorrelationAlert, RuleInfo } from './rule-info';
import { SigmaError } from './sigma.errors';
import type { CorrelationCondition, SigmaCorrelation } from './sigma.types';

/** A referenced rule as a correlation sees it: its key, and the name its aliases use. */
interface Input {
  key: string;
  name: string | undefined;
  isCorrelation: boolean;
  groupGetters: FieldGetter[];
  valueGetters: FieldGetter[];
}

export interface CompiledCorrelation {
  readonly info: RuleInfo;
  readonly doc: SigmaCorrelation;
  readonly inputs: readonly Input[];
  readonly report: boolean;
}

export interface CorrelationDeps {
  fieldAliases: Readonly<Record<string, string>>;
  /** Key and name of every rule or correlation a reference may resolve to. */
  lookup: (ref: string) => { key: string; name: string | undefined; isCorrelation: boolean } | undefined;
}

export function compileCorrelation(doc: SigmaCorrelation, info: RuleInfo, report: boolean, deps: CorrelationDeps): CompiledCorrelation {
  const c = doc.correlation;
  const inputs = c.rules.map((ref) => {
    const target = deps.lookup(ref);
    if (!target)
      throw new SigmaError('unknown_rule_reference', `correlation "${doc.title}" refers to unknown rule "${ref}"`, doc.pos, doc.source);
    const fieldFor = (field: string): FieldGetter => {
      const perRule = c.aliases[field];
      const mapped = perRule ? (perRule[target.name ?? ''] ?? perRule[target.key] ?? perRule[ref]) : undefined;
      return makeGetter(resolveFieldPath(mapped ?? field, deps.fieldAliases));
    };
    return {
      key: target.key,
      name: target.name,
      isCorrelation: target.isCorrelation,
      groupGetters: c.groupBy.map(fieldFor),
      valueGetters: (c.condition?.field ?? []).map(fieldFor),
    };
  });
  return { info, doc, inputs, report };
}

function conditionHolds(cond: CorrelationCondition | undefined, n: number, fallbackGte: number): boolean {
  if (!cond) return n >= fallbackGte;
  return (
    (cond.gt === undefined || n > cond.gt) &&
    (cond.gte === undefined || n >= cond.gte) &&
    (cond.lt === undefined || n < cond.lt) &&
    (cond.lte === undefined || n <= cond.lte) &&
    (cond.eq === undefined || n === cond.eq) &&
    (cond.neq === undefined || n !== cond.neq)
  );
}

/** Whether the rules occur in the listed order inside the window (greedy earliest match). */
function inOrder(entries: readonly CorrelationEntry[], order: readonly string[]): boolean {
  let next = 0;
  for (const e of entries) {
    if (e.ruleId === order[next]) next++;
    if (next === order.length) return true;
  }
  return false;
}

function scalarKey(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 1 ? v[0] : v;
  return v;
}

interface Trigger {
  ruleKey: string;
  eventIds: readonly string[];
  /** For chained correlations, the group of the inner alert (used before reading the event). */
  group?: Record<string, unknown>;
}

/**
 * How many of a group's newest matches a temporal correlation keeps. A temporal group fires (and
 * starts afresh) as soon as its rules are all present, so until then its window piles up repeats
 * of the rules seen so far: a frequent input (e.g. "any write call") by one actor would otherwise
 * grow the window to every call of the hour and make each event cost the whole window. Counting
 * correlations keep every entry: their count is the point.
 */
export const TEMPORAL_WINDOW_MAX_ENTRIES = 64;

/**
 * Feeds one event's matches (and alerts of inner correlations) into a correlation's state and
 * returns an alert per group whose condition now holds. After an alert the group's window starts afresh.
 */
export async function evaluateCorrelation(
  corr: CompiledCorrelation,
  event: object,
  ts: number,
  triggers: readonly Trigger[],
  store: CorrelationStore,
): Promise<CorrelationAlert[]> {
  const alerts: CorrelationAlert[] = [];
  const c = corr.doc.correlation;
  type Group = { values: unknown[]; entries: CorrelationEntry[] };
  const groups = new Map<string, Group>();
  for (const trig of triggers) {
    for (const input of corr.inputs) {
      if (input.key !== trig.ruleKey) continue;
      const values = input.groupGetters.map((g, i) => {
        const name = c.groupBy[i]!;
        return scalarKey(trig.group && name in trig.group ? trig.group[name] : g(event));
      });
      if (values.some((v) => v === undefined || v === null)) continue; // no group without its fields
      const key = `${corr.info.id}|${JSON.stringify(values)}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { values, entries: [] }));
      let value: string | undefined;
      if (c.type === 'value_count') {
        const vs = input.valueGetters.map((g) => scalarKey(g(event)));
        if (vs.some((v) => v === undefined || v === null)) continue;
        value = vs.length === 1 ? (stringForm(vs[0]) ?? '') : JSON.stringify(vs);
      }
      // event_count and value_count count an event once even when several inputs matched it.
      if (c.type !== 'temporal' && c.type !== 'temporal_ordered' && group.entries.length > 0) continue;
      group.entries.push({ ts, eventIds: trig.eventIds, ruleId: input.key, ...(value !== undefined ? { value } : {}) });
    }
  }
  for (const [key, group] of groups) {
    let window: CorrelationEntry[] = [];
    const cap = c.type === 'temporal' || c.type === 'temporal_ordered' ? TEMPORAL_WINDOW_MAX_ENTRIES : undefined;
    for (const entry of group.entries) window = await store.append(key, entry, c.timespanMs, cap);
    if (group.entries.length === 0) continue;
    const ruleOrder = corr.inputs.map((i) => i.key);
    let fired: boolean;
    switch (c.type) {
      case 'event_count':
        fired = conditionHolds(c.condition, window.length, 1);
        break;
      case 'value_count':
        fired = conditionHolds(c.condition, new Set(window.map((e) => e.value)).size, 1);
        break;
      case 'temporal':
        fired = conditionHolds(c.condition, new Set(window.map((e) => e.ruleId)).size, new Set(ruleOrder).size);
        break;
      case 'temporal_ordered':
        fired = inOrder(window, ruleOrder);
        break;
      default: {
        const exhaustive: never = c.type;
        throw new Error(`unhandled correlation type ${String(exhaustive)}`);
      }
    }
    if (!fired) continue;
    await store.clear(key);
    const eventIds = [...new Set(window.flatMap((e) => e.eventIds))];
    const groupOut: Record<string, unknown> = {};
    c.groupBy.forEach((name, i) => (groupOut[name] = group.values[i]));
    const alert: CorrelationAlert = {
      ruleId: corr.info.id,
      ruleTitle: corr.info.title,
      level: corr.info.level,
      tags: corr.info.tags,
      type: c.type,
      group: groupOut,
      eventIds,
    };
    if (corr.info.author !== undefined) alert.author = corr.info.author;
    alerts.push(alert);
  }
  return alerts;
}

export type { Trigger };
