import { jsonTextTooDeep } from './json-depth';

const text = (s: string) => Buffer.from(s);

describe('JSON depth limits', () => {
  it.each([
    ['[[[]]]', 3, false],
    ['[[[[]]]]', 3, true],
    ['{"a":{"b":{"c":1}}}', 3, false],
    ['{"a":{"b":{"c":{}}}}', 3, true],
    ['{"s":"[[[[[[[[[[{{{{{{"}', 1, false],
    ['{"s":"a\\"[[[[[[["}', 1, false],
    ['[1,[2],[3],[4]]', 2, false],
  ])('%s with max %d: too deep = %s', (json, max, expected) => {
    expect(jsonTextTooDeep(text(json), max)).toBe(expected);
  });

  it('checks depths far beyond the call stack without overflowing', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(jsonTextTooDeep(text(deep))).toBe(true);
  });
});
