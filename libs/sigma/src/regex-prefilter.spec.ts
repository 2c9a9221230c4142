import fc from 'fast-check';
import { RE2JS } from 're2js';
import { requiredLiteral } from './regex-prefilter';

describe('requiredLiteral', () => {
  it.each([
    ['.+:assumed-role/aws:.+', ':assumed-role/aws:'],
    ['^arn:aws:iam::[0-9]{12}:root$', 'arn:aws:iam::'],
    ['abcd?e', 'abc'],
    ['ab*cdef', 'cdef'],
    ['x(abc)+yyyy', 'yyyy'],
    ['a\\.b\\.c', 'a.b.c'],
    ['\\d+foo\\d+', 'foo'],
    ['[abc]def[^x]', 'def'],
    ['abc{2}defg', 'defg'],
    ['foo|barbaz', undefined],
    ['(?i)abcdef', undefined],
    ['ab', undefined],
    ['(a|b)', undefined],
  ])('%s -> %s', (pattern, expected) => {
    expect(requiredLiteral(pattern)).toBe(expected);
  });

  it('never rejects a string the regex matches', () => {
    const piece = fc.constantFrom('a', 'b', 'ab', 'abc', '.', '*', '+', '?', '(ab)', '(a|bc)', '[ab]', '\\.', 'x{1,2}', '^', '$', '|');
    const pattern = fc.array(piece, { minLength: 1, maxLength: 8 }).map((xs) => xs.join(''));
    const subject = fc.array(fc.constantFrom('a', 'b', 'c', 'x', '.'), { maxLength: 12 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(pattern, subject, (p, s) => {
        let re: RE2JS;
        try {
          re = RE2JS.compile(p);
        } catch {
          return;
        }
        const lit = requiredLiteral(p);
        if (lit !== undefined && re.test(s)) expect(s.includes(lit)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
