import { ANY_CHAR, ANY_RUN, type SigmaStringPart } from './sigma-string';

export type StringTest = (s: string) => boolean;

/**
 * Compiles a wildcard pattern into a plain string test. The common shapes (exact, prefix, suffix,
 * contains, `*`-only) use indexOf-style scans; `?` patterns use a two-pointer glob match, which is
 * O(n*m) at worst: no backtracking regex is built from rule text.
 */
export function compileStringTest(parts: readonly SigmaStringPart[], caseSensitive: boolean): StringTest {
  const norm = (s: string): string => (caseSensitive ? s : s.toLowerCase());
  const p = parts.map((x) => (typeof x === 'string' ? norm(x) : x));

  if (p.some((x) => x === ANY_CHAR)) return globTest(p, norm);

  const lits = p.filter((x): x is string => typeof x === 'string');
  const leading = p[0] === ANY_RUN;
  const trailing = p.length > 0 && p[p.length - 1] === ANY_RUN;

  if (lits.length === 0) return leading ? () => true : (s) => s === '';
  if (lits.length === 1) {
    const lit = lits[0]!;
    if (caseSensitive) {
      if (leading && trailing) return (s) => s.includes(lit);
      if (leading) return (s) => s.endsWith(lit);
      if (trailing) return (s) => s.startsWith(lit);
      return (s) => s === lit;
    }
    const original = typeof parts[leading ? 1 : 0] === 'string' ? (parts[leading ? 1 : 0] as string) : lit;
    if (leading && trailing) return (s) => s.includes(original) || s.toLowerCase().includes(lit);
    // Lower-casing only lengthens a string via U+0130, whose expansion is not ASCII: so for an ASCII
    // literal a length mismatch settles the answer before the (costlier) toLowerCase.
    const ascii = /^[\x00-\x7f]*$/.test(lit);
    if (leading) return ascii ? (s) => s.length >= lit.length && s.toLowerCase().endsWith(lit) : (s) => s.toLowerCase().endsWith(lit);
    if (trailing) return ascii ? (s) => s.length >= lit.length && s.toLowerCase().startsWith(lit) : (s) => s.toLowerCase().startsWith(lit);
    // An identical string needs no lower-casing; that is the common hit in CloudTrail.
    if (ascii) return (s) => s === original || (s.length === lit.length && s.toLowerCase() === lit);
    return (s) => s === original || s.toLowerCase() === lit;
  }
  return (raw) => {
    const s = norm(raw);
    let pos = 0;
    let first = 0;
    let last = lits.length;
    if (!leading) {
      if (!s.startsWith(lits[0]!)) return false;
      pos = lits[0]!.length;
      first = 1;
    }
    if (!trailing) last--;
    for (let i = first; i < last; i++) {
      const idx = s.indexOf(lits[i]!, pos);
      if (idx < 0) return false;
      pos = idx + lits[i]!.length;
    }
    if (!trailing) {
      const tail = lits[lits.length - 1]!;
      return s.length - tail.length >= pos && s.endsWith(tail);
    }
    return true;
  };
}

type GlobToken = string | typeof ANY_RUN | typeof ANY_CHAR; // strings here are single characters

function globTest(parts: readonly SigmaStringPart[], norm: (s: string) => string): StringTest {
  const tokens: GlobToken[] = [];
  for (const part of parts) {
    if (typeof part === 'string') for (const ch of part) tokens.push(ch);
    else tokens.push(part);
  }
  return (raw) => {
    const s = Array.from(norm(raw));
    let si = 0;
    let ti = 0;
    let starTi = -1;
    let starSi = 0;
    while (si < s.length) {
      const t = tokens[ti];
      if (t !== undefined && t !== ANY_RUN && (t === ANY_CHAR || t === s[si])) {
        si++;
        ti++;
      } else if (t === ANY_RUN) {
        starTi = ti++;
        starSi = si;
      } else if (starTi >= 0) {
        ti = starTi + 1;
        si = ++starSi;
      } else {
        return false;
      }
    }
    while (tokens[ti] === ANY_RUN) ti++;
    return ti === tokens.length;
  };
}
