import { wantsEvent } from './event-filter';

const endpoint = (minSeverity: 'informational' | 'low' | 'medium' | 'high' | 'critical', eventTypes: string[] = []) => ({
  minSeverity,
  eventTypes,
});

describe('wantsEvent', () => {
  it.each([
    ['high', 'critical', true],
    ['high', 'high', true],
    ['high', 'medium', false],
    ['informational', 'informational', true],
    ['critical', 'high', false],
  ] as const)('min %s, finding of severity %s -> %s', (min, severity, expected) => {
    expect(wantsEvent(endpoint(min), 'finding.created', { severity })).toBe(expected);
    expect(wantsEvent(endpoint(min), 'finding.updated', { severity })).toBe(expected);
  });

  it('applies the minimum severity to finding events only', () => {
    expect(wantsEvent(endpoint('critical'), 'posture.changed', { severity: 'low' })).toBe(true);
    expect(wantsEvent(endpoint('critical'), 'account.status_changed', {})).toBe(true);
  });

  it('delivers a finding event whose severity it cannot judge', () => {
    expect(wantsEvent(endpoint('critical'), 'finding.created', {})).toBe(true);
    expect(wantsEvent(endpoint('critical'), 'finding.created', { severity: 'severe' })).toBe(true);
    expect(wantsEvent(endpoint('critical'), 'finding.created', null)).toBe(true);
  });

  it('an empty event-type list means every type; otherwise only the listed ones', () => {
    expect(wantsEvent(endpoint('informational', []), 'posture.changed', {})).toBe(true);
    expect(wantsEvent(endpoint('informational', ['finding.created']), 'posture.changed', {})).toBe(false);
    expect(wantsEvent(endpoint('informational', ['finding.created']), 'finding.created', { severity: 'low' })).toBe(true);
  });
});
