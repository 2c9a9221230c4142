import ipaddr from 'ipaddr.js';
import { RE2JS } from 're2js';
import { MODIFIERS, type ModifierName, type SigmaScalar } from './sigma.types';
import type { SigmaErrorCode, SigmaPosition } from './sigma.errors';

export const POSITION_MODIFIERS = ['contains', 'startswith', 'endswith'] as const;
export const UTF16_MODIFIERS = ['utf16le', 'utf16be', 'utf16', 'wide'] as const;
export const BASE64_MODIFIERS = ['base64', 'base64offset'] as const;
export const NUMERIC_MODIFIERS = ['lt', 'lte', 'gt', 'gte'] as const;
export const TIME_MODIFIERS = ['minute', 'hour', 'day', 'week', 'month', 'year'] as const;
export const REGEX_FLAGS = ['i', 'm', 's'] as const;

export type NumericOp = (typeof NUMERIC_MODIFIERS)[number];
export type TimePart = (typeof TIME_MODIFIERS)[number];

/** How a field condition compares, decided once from its modifiers. */
export type ValueKind = 'null' | 'exists' | 'regex' | 'cidr' | 'fieldref' | 'numeric' | 'string';

const KNOWN = new Set<string>(MODIFIERS);
const has = (list: readonly string[], m: string): boolean => list.includes(m);

export type Fail = (code: SigmaErrorCode, message: string, pos?: SigmaPosition) => never;

export function isModifierName(m: string): m is ModifierName {
  return KNOWN.has(m);
}

export function valueKind(mods: readonly ModifierName[], values: readonly SigmaScalar[]): ValueKind {
  if (mods.includes('exists')) return 'exists';
  if (mods.includes('re')) return 'regex';
  if (mods.includes('cidr')) return 'cidr';
  if (mods.includes('fieldref')) return 'fieldref';
  if (mods.some((m) => has(NUMERIC_MODIFIERS, m) || has(TIME_MODIFIERS, m))) return 'numeric';
  if (values.length === 1 && values[0] === null) return 'null';
  return 'string';
}

export function regexFlags(mods: readonly ModifierName[]): number {
  let flags = 0;
  if (mods.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
  if (mods.includes('m')) flags |= RE2JS.MULTILINE;
  if (mods.includes('s')) flags |= RE2JS.DOTALL;
  return flags;
}

export function parseCidr(value: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  const text = value.includes('/') ? value : `${value}/${value.includes(':') ? 128 : 32}`;
  if (!ipaddr.isValidCIDR(text)) return undefined;
  return ipaddr.parseCIDR(text);
}

/**
 * Rejects modifier chains the specification does not allow or that have no meaning, pointing at
 * the offending modifier (`modPos(i)`) or value (`valuePos(i)`).
 */
export function validateModifiers(
  mods: readonly ModifierName[],
  values: readonly SigmaScalar[],
  isKeyword: boolean,
  modPos: (index: number) => SigmaPosition,
  valuePos: (index: number) => SigmaPosition,
  fail: Fail,
): ValueKind {
  const seen = new Set<string>();
  mods.forEach((m, i) => {
    if (seen.has(m)) fail('invalid_modifier_combination', `modifier "${m}" is repeated`, modPos(i));
    seen.add(m);
  });
  const conflict = (i: number, other: string): never =>
    fail('invalid_modifier_combination', `modifier "${mods[i]}" cannot be combined with "${other}"`, modPos(i));
  const onlyOneOf = (group: readonly string[]): void => {
    const idx = mods.map((m, i) => (has(group, m) ? i : -1)).filter((i) => i >= 0);
    if (idx.length > 1) conflict(idx[1]!, mods[idx[0]!]!);
  };
  const allowOnly = (anchor: string, allowed: readonly string[]): void => {
    mods.forEach((m, i) => {
      if (m !== anchor && !allowed.includes(m)) conflict(i, anchor);
    });
  };

  if (values.length === 0) fail('invalid_value', 'a value list must not be empty', modPos(-1));
  const nullAt = values.indexOf(null);
  if (nullAt >= 0 && (values.length > 1 || mods.length > 0)) {
    fail('invalid_value', 'null must be a value on its own, without modifiers (use a separate selection)', valuePos(nullAt));
  }
  mods.forEach((m, i) => {
    if (has(REGEX_FLAGS, m) && !mods.slice(0, i).includes('re')) {
      fail('invalid_modifier_combination', `modifier "${m}" is a sub-modifier of "re" and must follow it`, modPos(i));
    }
  });
  if (mods.includes('all') && values.length < 2) {
    fail('invalid_modifier_combination', 'modifier "all" needs a list of at least two values', modPos(mods.indexOf('all')));
  }

  const kind = valueKind(mods, values);
  const requireType = (check: (v: SigmaScalar) => boolean, what: string): void => {
    values.forEach((v, i) => {
      if (!check(v)) fail('invalid_value', `${what} expected`, valuePos(i));
    });
  };
  switch (kind) {
    case 'null':
      break;
    case 'exists':
      if (isKeyword) fail('invalid_modifier_combination', '"exists" needs a field name', modPos(mods.indexOf('exists')));
      allowOnly('exists', []);
      if (values.length !== 1 || typeof values[0] !== 'boolean') fail('invalid_value', '"exists" takes true or false', valuePos(0));
      break;
    case 'regex': {
      allowOnly('re', [...REGEX_FLAGS, 'all', 'neq']);
      requireType((v) => typeof v === 'string' || typeof v === 'number', 'a regular expression string');
      const flags = regexFlags(mods);
      values.forEach((v, i) => {
        try {
          RE2JS.compile(String(v), flags);
        } catch (err) {
          fail('invalid_regex', `invalid regular expression: ${(err as Error).message}`, valuePos(i));
        }
      });
      break;
    }
    case 'cidr':
      allowOnly('cidr', ['all', 'neq']);
      requireType((v) => typeof v === 'string' && parseCidr(v) !== undefined, 'an IPv4 or IPv6 network (CIDR)');
      break;
    case 'fieldref':
      if (isKeyword) fail('invalid_modifier_combination', '"fieldref" needs a field name', modPos(mods.indexOf('fieldref')));
      allowOnly('fieldref', [...POSITION_MODIFIERS, 'cased', 'all', 'neq']);
      onlyOneOf(POSITION_MODIFIERS);
      requireType((v) => typeof v === 'string' && v !== '', 'a field name');
      break;
    case 'numeric': {
      mods.forEach((m, i) => {
        if (!has(NUMERIC_MODIFIERS, m) && !has(TIME_MODIFIERS, m) && m !== 'neq' && m !== 'all') {
          conflict(
            i,
            mods.find((x) => has(NUMERIC_MODIFIERS, x) || has(TIME_MODIFIERS, x))!,
          );
        }
      });
      onlyOneOf(NUMERIC_MODIFIERS);
      onlyOneOf(TIME_MODIFIERS);
      const op = mods.findIndex((m) => has(NUMERIC_MODIFIERS, m));
      const time = mods.findIndex((m) => has(TIME_MODIFIERS, m));
      if (op >= 0 && time > op)
        fail('invalid_modifier_combination', `time modifier "${mods[time]}" must come before "${mods[op]}"`, modPos(time));
      if (op >= 0 && mods.includes('neq')) conflict(mods.indexOf('neq'), mods[op]!);
      requireType((v) => typeof v === 'number', 'a number');
      break;
    }
    case 'string':
      onlyOneOf(POSITION_MODIFIERS);
      onlyOneOf(UTF16_MODIFIERS);
      onlyOneOf(BASE64_MODIFIERS);
      requireType((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean', 'a string, number or boolean');
      mods.forEach((m, i) => {
        const needsString = m === 'expand' || m === 'windash' || has(UTF16_MODIFIERS, m) || has(BASE64_MODIFIERS, m);
        if (needsString) requireType((v) => typeof v === 'string', `a string (for modifier "${m}")`);
        if (has(UTF16_MODIFIERS, m) && mods.slice(0, i).some((x) => has(BASE64_MODIFIERS, x))) {
          fail('invalid_modifier_combination', `modifier "${m}" must come before the base64 modifier`, modPos(i));
        }
      });
      break;
    default: {
      const exhaustive: never = kind;
      throw new Error(`unhandled value kind ${String(exhaustive)}`);
    }
  }
  return kind;
}
