import { matches } from './sigma-test.helpers';

/** Identifiers a..d are true exactly when the event has that key set to 1. */
const ids = 'a:\n    a: 1\nb:\n    b: 1\nc:\n    c: 1\n_d:\n    d: 1\nsel_x:\n    x: 1\nsel_y:\n    y: 1\n';
const ev = (...keys: string[]): object => Object.fromEntries(keys.map((k) => [k, 1]));

type Case = [condition: string, event: object, expected: boolean];

describe('condition grammar', () => {
  const cases: Case[] = [
    ['a', ev('a'), true],
    ['a', ev('b'), false],
    ['a and b', ev('a', 'b'), true],
    ['a and b', ev('a'), false],
    ['a or b', ev('b'), true],
    ['a or b', ev('c'), false],
    ['not a', ev('b'), true],
    ['not a', ev('a'), false],
    ['a and not b', ev('a'), true],
    ['a and not b', ev('a', 'b'), false],
    // and binds tighter than or: a or (b and c)
    ['a or b and c', ev('a'), true],
    ['a or b and c', ev('b'), false],
    ['(a or b) and c', ev('a'), false],
    ['(a or b) and c', ev('b', 'c'), true],
    // not binds tighter than and/or: (not a) or b
    ['not a or b', ev('a', 'b'), true],
    ['not a or b', ev('a'), false],
    ['not (a or b)', ev('b'), false],
    ['not not a', ev('a'), true],
    ['((a))', ev('a'), true],
    ['1 of sel_*', ev('y'), true],
    ['1 of sel_*', ev('a'), false],
    ['all of sel_*', ev('x', 'y'), true],
    ['all of sel_*', ev('x'), false],
    ['1 of them', ev('c'), true],
    ['1 of them excludes _ identifiers', ev('d'), false],
    ['all of them', ev('a', 'b', 'c', 'x', 'y'), true],
    ['all of them ignores _ identifiers', ev('a', 'b', 'c', 'x', 'y'), true],
    ['all of them', ev('a', 'b', 'c', 'x'), false],
    ['_d', ev('d'), true],
    ['1 of _*', ev('d'), true],
    ['not 1 of sel_*', ev('a'), true],
    ['not 1 of sel_*', ev('x'), false],
    ['a and 1 of sel_* and not c', ev('a', 'x'), true],
    ['a and 1 of sel_* and not c', ev('a', 'x', 'c'), false],
    ['a AND b (keywords are case-insensitive)', ev('a', 'b'), true],
    ['1 of sel*', ev('x'), true],
    ['1 of *_y', ev('y'), true],
  ];
  it.each(cases)('%s on %j -> %s', (condition, event, expected) => {
    const cond = condition
      .replace(' excludes _ identifiers', '')
      .replace(' ignores _ identifiers', '')
      .replace(' (keywords are case-insensitive)', '');
    expect(matches(`${ids}condition: ${cond}`, event)).toBe(expected);
  });

  it('a list of conditions is an OR', () => {
    const detection = `${ids}condition:\n    - a and b\n    - c`;
    expect(matches(detection, ev('c'))).toBe(true);
    expect(matches(detection, ev('a', 'b'))).toBe(true);
    expect(matches(detection, ev('a'))).toBe(false);
  });
});

describe('identifiers starting with `_` (pySigma)', () => {
  const detection = 'sel_a:\n    eventName: A\n_sel_hidden:\n    eventName: B\ncondition: ';
  it.each([
    ['1 of them', { eventName: 'B' }, false],
    ['1 of them', { eventName: 'A' }, true],
    ['1 of *', { eventName: 'B' }, false],
    ['1 of *sel*', { eventName: 'B' }, false],
    ['1 of _*', { eventName: 'B' }, true],
    ['1 of _sel*', { eventName: 'B' }, true],
    ['_sel_hidden', { eventName: 'B' }, true],
  ])('%s on %o -> %s', (condition, event, expected) => {
    expect(matches(detection + condition, event)).toBe(expected);
  });
  it('`all of them` ignores `_` identifiers', () => {
    expect(matches(detection + 'all of them', { eventName: 'A' })).toBe(true);
  });
});
