import { ALERT_GROUP_FIELD, alertEventData, groupFindingAlerts, type FindingAlert } from './alert-groups';

const f = (id: string, severity: FindingAlert['severity'], ruleTitle: string, actor = 'arn:aws:iam::1:user/mallory'): FindingAlert => ({
  id,
  ruleId: `rule-${id}`,
  ruleTitle,
  severity,
  actor,
});

describe('groupFindingAlerts', () => {
  it('puts the findings of one event and actor in one group, highest severity first', () => {
    const groups = groupFindingAlerts([
      { eventId: 'e1', finding: f('a', 'medium', 'AWS CloudTrail UpdateTrail') },
      { eventId: 'e1', finding: f('b', 'high', 'AWS CloudTrail UpdateTrail with multi-region disabled') },
      { eventId: 'e1', finding: f('c', 'medium', 'AWS CloudTrail Important Change') },
    ]);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ key: 'e1|arn:aws:iam::1:user/mallory', eventId: 'e1', severity: 'high' });
    // Equal severities in title order, so the bytes of a message do not depend on query order.
    expect(groups[0]!.findings.map((x) => x.id)).toEqual(['b', 'c', 'a']);
  });

  it('keeps other events and other actors apart, in input order', () => {
    const groups = groupFindingAlerts([
      { eventId: 'e1', finding: f('a', 'low', 'one') },
      { eventId: 'e2', finding: f('b', 'critical', 'two') },
      { eventId: 'e1', finding: f('c', 'medium', 'three', 'arn:aws:iam::1:user/alice') },
      { eventId: 'e1', finding: f('d', 'high', 'four') },
    ]);
    expect(groups.map((g) => [g.eventId, g.actor.split('/')[1], g.severity, g.findings.map((x) => x.id).join('')])).toEqual([
      ['e1', 'mallory', 'high', 'da'],
      ['e2', 'mallory', 'critical', 'b'],
      ['e1', 'alice', 'medium', 'c'],
    ]);
  });

  it('names a finding once even if it is offered twice', () => {
    const groups = groupFindingAlerts([
      { eventId: 'e1', finding: f('a', 'low', 'one') },
      { eventId: 'e1', finding: f('a', 'low', 'one') },
    ]);
    expect(groups[0]!.findings).toHaveLength(1);
  });

  it('gives no groups for no findings', () => {
    expect(groupFindingAlerts([])).toEqual([]);
  });
});

describe('alertEventData', () => {
  it('is the primary finding as before, plus the group under alertGroup', () => {
    const [group] = groupFindingAlerts([
      { eventId: 'e1', finding: f('a', 'medium', 'one') },
      { eventId: 'e1', finding: f('b', 'high', 'two') },
    ]);
    const data = alertEventData(group!);
    expect(ALERT_GROUP_FIELD).toBe('alertGroup');
    expect(data).toMatchObject({ id: 'b', severity: 'high', ruleTitle: 'two' });
    expect(data.alertGroup.findings.map((x) => x.id)).toEqual(['b', 'a']);
    expect(JSON.parse(JSON.stringify(data)).alertGroup.severity).toBe('high');
  });
});
