import { MAX_RECORD_DEPTH, nestsDeeperThan, recordTooDeep } from './record-depth';

describe('record depth limit', () => {
  it.each([
    ['{}', 0, true],
    ['1', 0, false],
    ['[[[]]]', 3, false],
    ['[[[[]]]]', 3, true],
    ['{"a":{"b":{"c":1}}}', 3, false],
    ['{"a":{"b":{"c":{}}}}', 3, true],
    ['{"s":"[[[[[[[[[[{{{{{{"}', 1, false],
    ['[1,[2],[3],[4]]', 2, false],
    ['[1,[2],[3],[[4]]]', 2, true],
  ])('%s with max %d: too deep = %s', (json, max, expected) => {
    expect(nestsDeeperThan(JSON.parse(json), max)).toBe(expected);
  });

  it('accepts a record at the limit and refuses one level more, however deep it goes', () => {
    const nested = (levels: number) => JSON.parse('{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1));
    expect(recordTooDeep(nested(MAX_RECORD_DEPTH))).toBe(false);
    expect(recordTooDeep(nested(MAX_RECORD_DEPTH + 1))).toBe(true);
    expect(recordTooDeep(JSON.parse('['.repeat(200_000) + ']'.repeat(200_000)))).toBe(true);
  });
});
