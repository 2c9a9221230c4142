import { SimStore } from './sim-store';

describe('SimStore LookupEvents window', () => {
  function admit(store: SimStore, times: number[]): boolean[] {
    return times.map((t) => store.admitLookupEvents('111122223333', 'us-east-1', t));
  }

  it.each([
    ['two then a third inside the second', [0, 10, 999], [true, true, false]],
    ['a third exactly one second after the first', [0, 10, 1000], [true, true, true]],
    ['steady 2 per second', [0, 500, 1000, 1500, 2000], [true, true, true, true, true]],
    ['a burst', [0, 1, 2, 3], [true, true, false, false]],
    // Decided out of arrival order: 900 then 0 would put 0, 500, 900 in one window.
    ['late arrival judged on both sides', [500, 900, 0], [true, true, false]],
    ['late arrival that fits', [1200, 1500, 100], [true, true, true]],
  ])('%s', (_name, times, expected) => {
    expect(admit(new SimStore(), times)).toEqual(expected);
  });

  it('keeps account-regions apart and can be switched off', () => {
    const store = new SimStore();
    expect(admit(store, [0, 1])).toEqual([true, true]);
    expect(store.admitLookupEvents('111122223333', 'eu-west-1', 2)).toBe(true);
    store.settings.lookupEventsPerSecond = null;
    expect(admit(store, [3, 4, 5])).toEqual([true, true, true]);
  });
});
