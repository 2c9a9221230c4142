import type { Finding, FindingGroup } from '@trailguard/db';
import { FindingAlerts } from './finding-alerts';

const WINDOW = new Date('2026-12-06T04:00:00.000Z');
const MALLORY = 'arn:aws:iam::111122223333:user/mallory';

function finding(id: string, ruleId: string, severity: Finding['severity'], actor = MALLORY): Finding {
  const at = new Date('2026-12-06T04:10:00.000Z');
  return {
    id,
    tenantId: 't',
    kind: 'detection',
    ruleId,
    ruleTitle: `title ${ruleId}`,
    severity,
    status: 'open',
    accountId: 'acc',
    actor,
    windowStart: WINDOW,
    tags: [],
    region: 'us-east-1',
    sourceIp: null,
    userAgent: null,
    eventCount: 1,
    firstSeenAt: at,
    lastSeenAt: at,
    assignee: null,
    allowlistEntryId: null,
    relatedFindingId: null,
    details: null,
    createdAt: at,
    updatedAt: at,
  };
}

function group(ruleId: string, events: Array<[string, string]>, actor = MALLORY): FindingGroup {
  return {
    kind: 'detection',
    ruleId,
    ruleTitle: `title ${ruleId}`,
    severity: 'medium',
    accountId: 'acc',
    actor,
    windowStart: WINDOW,
    tags: [],
    events: events.map(([eventId, time]) => ({ eventId, eventTime: new Date(time), record: {} })),
  };
}

type AlertData = { id: string; alertGroup: { eventId: string; findings: Array<{ id: string }> } };
const data = (alerts: FindingAlerts) => [...alerts.messages().values()].map((e) => e.data as unknown as AlertData);

describe('FindingAlerts', () => {
  it('announces the findings one event raised as one finding.created, the highest first', () => {
    const groups = [group('r-trail', [['e1', '2026-12-06T04:10:00Z']]), group('r-multi', [['e1', '2026-12-06T04:10:00Z']])];
    const alerts = new FindingAlerts(groups, () => true);
    alerts.add(finding('f-trail', 'r-trail', 'medium'));
    alerts.add(finding('f-multi', 'r-multi', 'high'));
    const events = [...alerts.messages().values()];
    expect(events.map((e) => e.type)).toEqual(['finding.created']);
    const [d] = data(alerts);
    expect(d!.id).toBe('f-multi');
    expect(d!.alertGroup.eventId).toBe('e1');
    expect(d!.alertGroup.findings.map((f) => f.id)).toEqual(['f-multi', 'f-trail']);
  });

  it("takes a finding's earliest event as the one that raised it", () => {
    // r-trail saw an earlier UpdateTrail (e0) in the same window: its finding is e0's, not e1's.
    const groups = [
      group('r-trail', [
        ['e1', '2026-12-06T04:10:00Z'],
        ['e0', '2026-12-06T04:05:00Z'],
      ]),
      group('r-multi', [['e1', '2026-12-06T04:10:00Z']]),
    ];
    const alerts = new FindingAlerts(groups, () => true);
    alerts.add(finding('f-trail', 'r-trail', 'medium'));
    alerts.add(finding('f-multi', 'r-multi', 'high'));
    expect(data(alerts).map((d) => [d.alertGroup.eventId, d.id])).toEqual([
      ['e0', 'f-trail'],
      ['e1', 'f-multi'],
    ]);
  });

  it('leaves out the findings of rules that are not alerting', () => {
    const groups = [group('r-quiet', [['e1', '2026-12-06T04:10:00Z']]), group('r-loud', [['e1', '2026-12-06T04:10:00Z']])];
    const alerts = new FindingAlerts(groups, (ruleId) => ruleId !== 'r-quiet');
    const quiet = finding('f-quiet', 'r-quiet', 'low');
    alerts.add(quiet);
    expect([...alerts.messages().values()]).toEqual([]);
    expect(alerts.alerting(quiet)).toBe(false);
    alerts.add(finding('f-loud', 'r-loud', 'medium'));
    expect(data(alerts).map((d) => d.alertGroup.findings.map((f) => f.id))).toEqual([['f-loud']]);
  });

  it('groups more events on announced findings the same way, as one finding.updated', () => {
    const groups = [group('r-trail', [['e2', '2026-12-06T04:20:00Z']]), group('r-multi', [['e2', '2026-12-06T04:20:00Z']])];
    const alerts = new FindingAlerts(groups, () => true);
    alerts.addEventsAdded(finding('f-trail', 'r-trail', 'medium'), 1);
    alerts.addEventsAdded(finding('f-multi', 'r-multi', 'high'), 1);
    const events = [...alerts.messages().values()];
    expect(events.map((e) => e.type)).toEqual(['finding.updated']);
    const d = events[0]!.data as unknown as { reason: string; added: number; finding: { id: string }; alertGroup: AlertData['alertGroup'] };
    expect(d).toMatchObject({ reason: 'events_added', added: 1, finding: { id: 'f-multi' } });
    expect(d.alertGroup.findings.map((f) => f.id)).toEqual(['f-multi', 'f-trail']);
  });

  it("regroups the fold's changes: the group's message rides on the primary's change, activities all stay", () => {
    const groups = [
      group('r-trail', [['e1', '2026-12-06T04:10:00Z']]),
      group('r-multi', [['e1', '2026-12-06T04:10:00Z']]),
      group('r-quiet', [['e1', '2026-12-06T04:10:00Z']]),
    ];
    const trail = finding('f-trail', 'r-trail', 'medium');
    const multi = finding('f-multi', 'r-multi', 'high');
    const quiet = finding('f-quiet', 'r-quiet', 'low');
    const outcomes = [trail, multi, quiet].map((f) => ({ kind: 'created' as const, finding: f }));
    const changes = outcomes.map((o) => ({
      findingId: o.finding.id,
      activity: { type: 'created', actor: 'trailguard' },
      event: { type: 'finding.created' as const, data: { id: o.finding.id } },
    }));
    const out = new FindingAlerts(groups, (ruleId) => ruleId !== 'r-quiet').regroup(outcomes, changes);
    expect(out.map((c) => [c.findingId, c.activity.type, c.event?.type ?? null])).toEqual([
      ['f-trail', 'created', null],
      ['f-multi', 'created', 'finding.created'],
      ['f-quiet', 'created', null],
    ]);
    const d = out[1]!.event!.data as unknown as AlertData;
    expect(d.id).toBe('f-multi');
    expect(d.alertGroup.findings.map((f) => f.id)).toEqual(['f-multi', 'f-trail']);
  });
});
