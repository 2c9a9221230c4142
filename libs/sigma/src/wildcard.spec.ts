import fc from 'fast-check';
import { parseSigma } from './document.parser';
import { wildcardMatch, wildcardMatcher } from './wildcard';

type Case = [pattern: string, subject: string, expected: boolean];

describe('wildcardMatch', () => {
  const cases: Case[] = [
    ['', '', true],
    ['', 'a', false],
    ['*', '', true],
    ['*', 'anything', true],
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ba', false],
    ['*c', 'abc', true],
    ['*c', 'cb', false],
    ['a*c', 'ac', true],
    ['a*c', 'abbbc', true],
    ['a*c', 'abcb', false],
    ['sel_*', 'sel_x', true],
    ['sel_*', 'sel', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['**', 'x', true],
    ['a.b', 'aXb', false], // regex metacharacters are literal
    ['a+b', 'a+b', true],
    ['(x)', '(x)', true],
    ['?', 'x', false], // `?` is literal here
    ['arn:aws:iam::*:role/Admin*', 'arn:aws:iam::123456789012:role/AdminOps', true],
    ['arn:aws:iam::*:role/Admin*', 'arn:aws:iam::123456789012:user/AdminOps', false],
  ];
  it.each(cases)('%j against %j is %s', (pattern, subject, expected) => {
    expect(wildcardMatch(pattern, subject)).toBe(expected);
    expect(wildcardMatcher(pattern)(subject)).toBe(expected);
  });

  it('agrees with an escaped RegExp on small random inputs', () => {
    const alphabet = fc.constantFrom('a', 'b', '*', '.');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 8 }), fc.array(fc.constantFrom('a', 'b', '.'), { maxLength: 10 }), (p, s) => {
        const pattern = p.join('');
        const subject = s.join('');
        const body = pattern
          .split('*')
          .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*');
        expect(wildcardMatch(pattern, subject)).toBe(new RegExp(`^${body}$`).test(subject));
      }),
      { numRuns: 500 },
    );
  });

  it('answers adversarial patterns (many stars, long subjects) without backtracking blow-up', () => {
    // With a backtracking RegExp, 10 stars against 40 characters never finishes; here each call is
    // O(pattern * subject), so 10,000 such calls finish well inside the test timeout.
    const pattern = `arn:${'*a'.repeat(30)}*b`;
    const subject = `arn:${'a'.repeat(2000)}`;
    for (let i = 0; i < 10_000; i++) {
      if (wildcardMatch(pattern, subject.slice(0, 40 + (i % 200)))) throw new Error('should not match');
    }
    expect(wildcardMatch(pattern, `${subject}b`)).toBe(true);
    expect(wildcardMatch(pattern, subject)).toBe(false);
  }, 30_000);
});

describe('"1 of" patterns in conditions', () => {
  it('compiles a many-star identifier pattern against long identifiers promptly', () => {
    const name = 'a'.repeat(40);
    const yaml = [
      'title: t',
      'logsource: { product: aws, service: cloudtrail }',
      'detection:',
      `  ${name}:`,
      '    eventName: X',
      `  ${name}b:`,
      '    eventName: Y',
      `  condition: 1 of ${'a*'.repeat(20)}b`,
      '',
    ].join('\n');
    for (let i = 0; i < 200; i++) {
      const [doc] = parseSigma(yaml);
      expect(doc?.kind).toBe('rule');
    }
  }, 30_000);

  it('still rejects a pattern that matches no identifier', () => {
    const yaml = [
      'title: t',
      'logsource: { product: aws }',
      'detection:',
      `  ${'a'.repeat(40)}:`,
      '    x: 1',
      `  condition: 1 of ${'a*'.repeat(10)}b`,
      '',
    ].join('\n');
    expect(() => parseSigma(yaml)).toThrow(/matches no search identifier/);
  });
});
