import fc from 'fast-check';
import { ANY_CHAR, ANY_RUN, parseSigmaString, type SigmaStringPart } from './sigma-string';
import { compileStringTest } from './string-matcher';

/** Reference semantics: the same pattern as an anchored JS RegExp (fine for tiny test inputs). */
function reference(parts: readonly SigmaStringPart[], caseSensitive: boolean): (s: string) => boolean {
  const body = parts.map((p) => (p === ANY_RUN ? '.*' : p === ANY_CHAR ? '.' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  const re = new RegExp(`^${body}$`, caseSensitive ? 's' : 'is');
  return (s) => re.test(s);
}

describe('compileStringTest agrees with a reference regex', () => {
  const alphabet = fc.constantFrom('a', 'b', 'A', '-', '*', '?', '\\');
  const pattern = fc.array(alphabet, { maxLength: 8 }).map((cs) => cs.join(''));
  const subject = fc.array(fc.constantFrom('a', 'b', 'B', '-', '*', '?', '\\'), { maxLength: 10 }).map((cs) => cs.join(''));

  it.each([true, false])('caseSensitive=%s', (caseSensitive) => {
    fc.assert(
      fc.property(pattern, subject, (raw, s) => {
        const parts = parseSigmaString(raw);
        expect(compileStringTest(parts, caseSensitive)(s)).toBe(reference(parts, caseSensitive)(s));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseSigmaString escapes', () => {
  it.each([
    ['a*b', ['a', ANY_RUN, 'b']],
    ['a\\*b', ['a*b']],
    ['a\\?b', ['a?b']],
    ['a\\\\b', ['a\\b']],
    ['a\\b', ['a\\b']],
    ['a\\\\*', ['a\\', ANY_RUN]],
    ['a\\\\\\*', ['a\\*']],
    ['\\\\\\\\', ['\\\\']],
    ['**', [ANY_RUN]],
    ['??', [ANY_CHAR, ANY_CHAR]],
  ] as Array<[string, SigmaStringPart[]]>)('%s', (raw, expected) => {
    expect(parseSigmaString(raw)).toEqual(expected);
  });
});
