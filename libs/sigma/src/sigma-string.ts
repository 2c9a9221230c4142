/**
 * A Sigma string value after escape processing: literal runs and the two wildcards.
 * `\*`, `\?` and `\\` are escapes; any other backslash is a plain backslash (spec "Escape Character").
 */
export const ANY_RUN: unique symbol = Symbol('*');
export const ANY_CHAR: unique symbol = Symbol('?');
export type SigmaStringPart = string | typeof ANY_RUN | typeof ANY_CHAR;

export interface SigmaStringValue {
  readonly parts: readonly SigmaStringPart[];
  /** True once an encoding modifier turned the text into bytes (one char per byte). */
  readonly bytes: boolean;
}

function pushLiteral(parts: SigmaStringPart[], text: string): void {
  const last = parts[parts.length - 1];
  if (typeof last === 'string') parts[parts.length - 1] = last + text;
  else parts.push(text);
}

export function parseSigmaString(raw: string): SigmaStringPart[] {
  const parts: SigmaStringPart[] = [];
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '\\') {
      const next = raw[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        pushLiteral(parts, next);
        i += 2;
      } else {
        pushLiteral(parts, '\\');
        i += 1;
      }
    } else if (c === '*') {
      if (parts[parts.length - 1] !== ANY_RUN) parts.push(ANY_RUN);
      i++;
    } else if (c === '?') {
      parts.push(ANY_CHAR);
      i++;
    } else {
      let j = i + 1;
      while (j < raw.length && raw[j] !== '\\' && raw[j] !== '*' && raw[j] !== '?') j++;
      pushLiteral(parts, raw.slice(i, j));
      i = j;
    }
  }
  return parts;
}

export function literal(text: string, bytes = false): SigmaStringValue {
  return { parts: text === '' ? [] : [text], bytes };
}

export function hasWildcards(parts: readonly SigmaStringPart[]): boolean {
  return parts.some((p) => typeof p !== 'string');
}

export function plainText(parts: readonly SigmaStringPart[]): string {
  return parts.filter((p): p is string => typeof p === 'string').join('');
}

export function withWildcards(value: SigmaStringValue, leading: boolean, trailing: boolean): SigmaStringValue {
  const parts = [...value.parts];
  if (leading && parts[0] !== ANY_RUN) parts.unshift(ANY_RUN);
  if (trailing && parts[parts.length - 1] !== ANY_RUN) parts.push(ANY_RUN);
  return { parts, bytes: value.bytes };
}
