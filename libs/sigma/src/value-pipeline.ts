import type { Fail } from './modifiers';
import { hasWildcards, parseSigmaString, plainText, withWildcards, type SigmaStringPart, type SigmaStringValue } from './sigma-string';
import type { SigmaPosition } from './sigma.errors';
import type { FieldCondition } from './sigma.types';

/**
 * The values of a `%name%` placeholder, or undefined when the tool does not know it: the rule is then
 * rejected, as the rules specification asks of tools that cannot handle a placeholder.
 */
export type ExpandHook = (placeholder: string) => readonly string[] | undefined;

const WINDASH = ['-', '/', '\u2013', '\u2014', '\u2015'];
const MAX_VALUES = 4096;

/**
 * Turns the raw values of a string-kind condition into wildcard patterns by applying the
 * transformation modifiers in the order written (spec: "applied in the given order").
 */
export function stringPatterns(cond: FieldCondition, expand: ExpandHook | undefined, fail: Fail): SigmaStringValue[][] {
  return cond.values.map((value, vi) => {
    const pos = cond.valuePositions[vi] ?? cond.pos;
    const raw = String(value);
    const raws = cond.modifiers.includes('expand') ? expandPlaceholders(raw, expand, fail, pos) : [raw];
    let vals: SigmaStringValue[] = raws.map((r) => ({ parts: parseSigmaString(r), bytes: false }));
    for (const mod of cond.modifiers) {
      switch (mod) {
        case 'windash':
          vals = vals.flatMap((v) => windash(v, fail, pos));
          break;
        case 'wide':
        case 'utf16le':
          vals = vals.map((v) => mapLiterals(v, utf16le, ''));
          break;
        case 'utf16be':
          vals = vals.map((v) => mapLiterals(v, utf16be, ''));
          break;
        case 'utf16':
          vals = vals.map((v) => mapLiterals(v, utf16le, '\xff\xfe'));
          break;
        case 'base64':
          vals = vals.map((v) => ({ parts: nonEmpty(toBase64(plain(v, mod, fail, pos), v.bytes)), bytes: false }));
          break;
        case 'base64offset':
          vals = vals.flatMap((v) => base64Offsets(plain(v, mod, fail, pos), v.bytes).map((t) => ({ parts: nonEmpty(t), bytes: false })));
          break;
        case 'contains':
          vals = vals.map((v) => withWildcards(v, true, true));
          break;
        case 'startswith':
          vals = vals.map((v) => withWildcards(v, false, true));
          break;
        case 'endswith':
          vals = vals.map((v) => withWildcards(v, true, false));
          break;
        default:
          break; // cased, all, neq, expand: not value transformations
      }
      if (vals.length > MAX_VALUES) fail('invalid_value', `the modifiers expand this value into more than ${MAX_VALUES} values`, pos);
    }
    return vals;
  });
}

function nonEmpty(text: string): SigmaStringPart[] {
  return text === '' ? [] : [text];
}

function plain(v: SigmaStringValue, mod: string, fail: Fail, pos: SigmaPosition): string {
  if (hasWildcards(v.parts)) {
    fail('invalid_modifier_combination', `"${mod}" cannot encode wildcards; put contains/startswith/endswith after it`, pos);
  }
  return plainText(v.parts);
}

function mapLiterals(v: SigmaStringValue, f: (s: string) => string, prefix: string): SigmaStringValue {
  const parts = v.parts.map((p) => (typeof p === 'string' ? f(p) : p));
  if (prefix) {
    if (typeof parts[0] === 'string') parts[0] = prefix + parts[0];
    else parts.unshift(prefix);
  }
  return { parts, bytes: true };
}

/** One char per byte (latin1), so a later base64 encodes exactly these bytes. */
function utf16le(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c & 0xff, c >> 8);
  }
  return out;
}

function utf16be(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c >> 8, c & 0xff);
  }
  return out;
}

function toBase64(text: string, bytes: boolean): string {
  return Buffer.from(text, bytes ? 'latin1' : 'utf8').toString('base64');
}

/**
 * The three base64 forms a value takes at byte offsets 0, 1 and 2 of an encoded stream, trimmed to
 * the characters that do not depend on the neighbouring bytes.
 */
export function base64Offsets(text: string, bytes: boolean): string[] {
  const data = Buffer.from(text, bytes ? 'latin1' : 'utf8');
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), data]);
    const encoded = padded.toString('base64');
    const start = [0, 2, 3][shift]!;
    const endTrim = [0, 3, 2][padded.length % 3]!;
    out.push(encoded.slice(start, encoded.length - endTrim));
  }
  return out;
}

function windash(v: SigmaStringValue, fail: Fail, pos: SigmaPosition): SigmaStringValue[] {
  let results: SigmaStringPart[][] = [[]];
  for (const part of v.parts) {
    if (typeof part !== 'string') {
      results = results.map((r) => [...r, part]);
      continue;
    }
    for (const ch of part) {
      const options = WINDASH.includes(ch) ? WINDASH : [ch];
      results = results.flatMap((r) => options.map((o) => appendChar(r, o)));
      if (results.length > MAX_VALUES) fail('invalid_value', 'too many dash characters for windash', pos);
    }
  }
  return results.map((parts) => ({ parts, bytes: v.bytes }));
}

function appendChar(parts: readonly SigmaStringPart[], ch: string): SigmaStringPart[] {
  const last = parts[parts.length - 1];
  if (typeof last === 'string') return [...parts.slice(0, -1), last + ch];
  return [...parts, ch];
}

/**
 * `%name%` is a placeholder (only with |expand); `\%` is a plain percent sign. The hook returns
 * Sigma values (wildcards allowed) for `%name%`; several placeholders multiply out.
 */
function expandPlaceholders(raw: string, expand: ExpandHook | undefined, fail: Fail, pos: SigmaPosition): string[] {
  let results = [''];
  let i = 0;
  let literal = '';
  const flush = (): void => {
    if (literal) results = results.map((r) => r + literal);
    literal = '';
  };
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '\\' && raw[i + 1] === '%') {
      literal += '%';
      i += 2;
      continue;
    }
    const close = c === '%' ? raw.indexOf('%', i + 1) : -1;
    if (close > i + 1) {
      flush();
      const placeholder = raw.slice(i, close + 1);
      if (!expand) fail('unsupported_placeholder', `placeholder ${placeholder} needs an expand hook (EngineOptions.expand)`, pos);
      const values = expand(placeholder);
      if (values === undefined)
        fail('unsupported_placeholder', `placeholder ${placeholder} is not resolved here, so the rule cannot be used`, pos);
      results = results.flatMap((r) => values.map((v) => r + v));
      if (results.length > MAX_VALUES) fail('invalid_value', `placeholders expand into more than ${MAX_VALUES} values`, pos);
      i = close + 1;
      continue;
    }
    literal += c;
    i++;
  }
  flush();
  return results;
}
