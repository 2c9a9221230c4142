import ipaddr from 'ipaddr.js';
import { RE2JS } from 're2js';
import { collectLeaves, makeGetter, numericForm, stringForm, type FieldGetter } from './field-access';
import {
  parseCidr,
  POSITION_MODIFIERS,
  regexFlags,
  TIME_MODIFIERS,
  valueKind,
  type Fail,
  type NumericOp,
  type TimePart,
} from './modifiers';
import { requiredLiteral } from './regex-prefilter';
import { hasWildcards, plainText, type SigmaStringValue } from './sigma-string';
import type { FieldCondition, ModifierName } from './sigma.types';
import { compileStringTest, type StringTest } from './string-matcher';
import { stringPatterns, type ExpandHook } from './value-pipeline';

export type EventPredicate = (event: object) => boolean;
type ElementTest = (value: unknown, event: object) => boolean;

export interface CompileEnv {
  /** alias -> native dotted path; also applied to alias prefixes (`api.request.data.x`). */
  readonly fieldAliases: Readonly<Record<string, string>>;
  readonly expand: ExpandHook | undefined;
  readonly fail: Fail;
}

export function resolveFieldPath(field: string, aliases: Readonly<Record<string, string>>): string {
  const exact = aliases[field];
  if (exact !== undefined) return exact;
  let cut = field.lastIndexOf('.');
  while (cut > 0) {
    const mapped = aliases[field.slice(0, cut)];
    if (mapped !== undefined) return mapped + field.slice(cut);
    cut = field.lastIndexOf('.', cut - 1);
  }
  return field;
}

/** Compiles one `field|modifiers: values` entry into a predicate over events. */
export function compileFieldCondition(cond: FieldCondition, env: CompileEnv): EventPredicate {
  const mods = cond.modifiers;
  const kind = valueKind(mods, cond.values);
  const get: FieldGetter = cond.field === null ? (e) => collectLeaves(e) : makeGetter(resolveFieldPath(cond.field, env.fieldAliases));
  const matchAll = mods.includes('all');
  const negate = mods.includes('neq');
  let groups: ElementTest[];
  switch (kind) {
    case 'null':
      return (e) => {
        const v = get(e);
        return v === undefined || v === null;
      };
    case 'exists': {
      const want = cond.values[0] === true;
      return (e) => (get(e) !== undefined) === want;
    }
    case 'string': {
      const keywordMods: readonly ModifierName[] =
        cond.field === null && !mods.some((m) => (POSITION_MODIFIERS as readonly string[]).includes(m)) ? [...mods, 'contains'] : mods;
      const patterns = stringPatterns({ ...cond, modifiers: keywordMods }, env.expand, env.fail);
      const cased = mods.includes('cased');
      groups = patterns.map((group) => stringElementTest(anyString(group, cased)));
      if (!matchAll) groups = [stringElementTest(anyString(patterns.flat(), cased))];
      break;
    }
    case 'regex': {
      const flags = regexFlags(mods);
      groups = cond.values.map((v) => {
        const re = RE2JS.compile(String(v), flags);
        // A literal every match must contain lets most events skip the regex; with `i` it would need
        // lower-casing, which costs about what it saves.
        const lit = mods.includes('i') ? undefined : requiredLiteral(String(v));
        return stringElementTest(lit ? (s) => s.includes(lit) && re.test(s) : (s) => re.test(s));
      });
      break;
    }
    case 'cidr': {
      groups = cond.values.map((v) => {
        const [range, bits] = parseCidr(String(v))!;
        return (x: unknown) => {
          if (typeof x !== 'string' || !(ipaddr.IPv4.isValidFourPartDecimal(x) || ipaddr.IPv6.isValid(x))) return false;
          const addr = ipaddr.process(x);
          return addr.kind() === range.kind() && addr.match(range, bits);
        };
      });
      break;
    }
    case 'fieldref':
      groups = cond.values.map((v) => fieldRefTest(makeGetter(resolveFieldPath(String(v), env.fieldAliases)), mods));
      break;
    case 'numeric': {
      const part = mods.find((m): m is TimePart => (TIME_MODIFIERS as readonly string[]).includes(m));
      const op = (mods.find((m) => m === 'lt' || m === 'lte' || m === 'gt' || m === 'gte') ?? 'eq') as NumericOp | 'eq';
      groups = cond.values.map((v) => numericTest(Number(v), op, part));
      break;
    }
    default: {
      const exhaustive: never = kind;
      throw new Error(`unhandled value kind ${String(exhaustive)}`);
    }
  }
  return combine(get, groups, matchAll, negate);
}

/** Any element of an array value may satisfy a test (see field-access.ts). */
function combine(get: FieldGetter, groups: ElementTest[], matchAll: boolean, negate: boolean): EventPredicate {
  const anyOf: ElementTest = groups.length === 1 ? groups[0]! : (x, e) => groups.some((t) => t(x, e));
  const holds = (v: unknown, t: ElementTest, e: object): boolean => (Array.isArray(v) ? v.some((x) => t(x, e)) : t(v, e));
  if (negate) {
    // neq: the field exists and equals none of the values.
    return (e) => {
      const v = get(e);
      return v !== undefined && v !== null && !holds(v, anyOf, e);
    };
  }
  if (matchAll) {
    return (e) => {
      const v = get(e);
      return v !== undefined && v !== null && groups.every((t) => holds(v, t, e));
    };
  }
  return (e) => {
    const v = get(e);
    if (v === undefined || v === null) return false;
    return Array.isArray(v) ? v.some((x) => anyOf(x, e)) : anyOf(v, e);
  };
}

function stringElementTest(test: StringTest): ElementTest {
  return (x) => {
    if (typeof x === 'string') return test(x);
    const s = stringForm(x);
    return s !== undefined && test(s);
  };
}

/** OR over patterns; plain literals go into one Set lookup, which is what long eventName lists need. */
function anyString(patterns: readonly SigmaStringValue[], cased: boolean): StringTest {
  const exact = new Set<string>();
  const exactLower = new Set<string>();
  const others: StringTest[] = [];
  for (const p of patterns) {
    if (hasWildcards(p.parts)) {
      others.push(compileStringTest(p.parts, cased));
    } else {
      const text = plainText(p.parts);
      exact.add(text);
      if (!cased) exactLower.add(text.toLowerCase());
    }
  }
  if (others.length === 0 && exact.size === 1) return compileStringTest([...exact], cased);
  const exactTest: StringTest | undefined =
    exact.size === 0 ? undefined : cased ? (s) => exact.has(s) : (s) => exact.has(s) || exactLower.has(s.toLowerCase());
  if (!exactTest) return others.length === 1 ? others[0]! : (s) => others.some((t) => t(s));
  if (others.length === 0) return exactTest;
  return (s) => exactTest(s) || others.some((t) => t(s));
}

function fieldRefTest(other: FieldGetter, mods: readonly ModifierName[]): ElementTest {
  const cased = mods.includes('cased');
  const norm = (s: string): string => (cased ? s : s.toLowerCase());
  const compare: (a: string, b: string) => boolean = mods.includes('contains')
    ? (a, b) => a.includes(b)
    : mods.includes('startswith')
      ? (a, b) => a.startsWith(b)
      : mods.includes('endswith')
        ? (a, b) => a.endsWith(b)
        : (a, b) => a === b;
  return (x, e) => {
    const a = stringForm(x);
    if (a === undefined) return false;
    const o = other(e);
    if (o === undefined || o === null) return false;
    const la = norm(a);
    const check = (y: unknown): boolean => {
      const b = stringForm(y);
      return b !== undefined && compare(la, norm(b));
    };
    return Array.isArray(o) ? o.some(check) : check(o);
  };
}

function numericTest(threshold: number, op: NumericOp | 'eq', part: TimePart | undefined): ElementTest {
  const cmp: (n: number) => boolean =
    op === 'lt'
      ? (n) => n < threshold
      : op === 'lte'
        ? (n) => n <= threshold
        : op === 'gt'
          ? (n) => n > threshold
          : op === 'gte'
            ? (n) => n >= threshold
            : (n) => n === threshold;
  if (!part) {
    return (x) => {
      const n = numericForm(x);
      return n !== undefined && cmp(n);
    };
  }
  return (x) => {
    const n = timePart(x, part);
    return n !== undefined && cmp(n);
  };
}

/** Time parts are read in UTC; the spec leaves time zones and formats to the event source. */
export function timePart(value: unknown, part: TimePart): number | undefined {
  let ms: number;
  if (typeof value === 'number') ms = Math.abs(value) < 1e11 ? value * 1000 : value;
  else if (typeof value === 'string') ms = Date.parse(value);
  else return undefined;
  if (!Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  switch (part) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'year':
      return d.getUTCFullYear();
    case 'week':
      return isoWeek(d);
    default: {
      const exhaustive: never = part;
      throw new Error(`unhandled time part ${String(exhaustive)}`);
    }
  }
}

function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
}
