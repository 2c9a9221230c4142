import type { FindingView } from './finding-view';
import { ocsfAttacks, ocsfDetectionFinding } from './ocsf-detection-finding';

const view = (over: Partial<FindingView> = {}): FindingView => ({
  id: '0f8d5c7e-54a1-4c2e-9a55-3b7f0f4f1a01',
  kind: 'detection',
  ruleId: 'f8caffc2-0000-4000-8000-000000000001',
  ruleTitle: 'AWS CloudTrail UpdateTrail with multi-region disabled',
  severity: 'high',
  status: 'open',
  accountId: '7a1f0d44-1b2c-4d3e-8f90-0a1b2c3d4e5f',
  actor: 'arn:aws:iam::111122223333:user/mallory',
  tags: ['attack.defense-evasion', 'attack.t1562.008', 'attack.defense-impairment', 'attack.t1685.002'],
  region: 'us-east-1',
  sourceIp: '198.51.100.7',
  userAgent: 'aws-cli/2.15.0',
  eventCount: 2,
  firstSeenAt: '2026-11-29T10:00:00.000Z',
  lastSeenAt: '2026-11-29T10:05:00.000Z',
  windowStart: '2026-11-29T10:00:00.000Z',
  assignee: null,
  allowlistEntryId: null,
  relatedFindingId: null,
  details: null,
  createdAt: '2026-11-29T10:00:01.000Z',
  updatedAt: '2026-11-29T10:05:01.000Z',
  ...over,
});

const record = {
  eventID: 'e-1',
  eventName: 'UpdateTrail',
  eventSource: 'cloudtrail.amazonaws.com',
  recipientAccountId: '111122223333',
  sourceIPAddress: '198.51.100.7',
  requestID: 'req-1',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory', accountId: '111122223333' },
};

describe('OCSF Detection Finding rendering', () => {
  it('carries the class, severity, status, times, rule and ATT&CK of a finding', () => {
    const o = ocsfDetectionFinding(view(), [{ eventId: 'e-1', record }]);
    expect(o).toMatchObject({
      class_uid: 2004,
      category_uid: 2,
      activity_id: 2, // events were aggregated
      type_uid: 200402,
      severity_id: 4,
      status_id: 1,
      status: 'New',
      is_alert: true,
      count: 2,
      time: Date.parse('2026-11-29T10:05:01.000Z'),
      start_time: Date.parse('2026-11-29T10:00:00.000Z'),
      end_time: Date.parse('2026-11-29T10:05:00.000Z'),
      metadata: { version: '1.4.0', product: { name: 'Trailguard' } },
      finding_info: {
        uid: view().id,
        title: view().ruleTitle,
        analytic: { uid: view().ruleId, type_id: 1 },
      },
      cloud: { provider: 'AWS', region: 'us-east-1', account: { uid: '111122223333' } },
      actor: { user: { uid: 'arn:aws:iam::111122223333:user/mallory' } },
      src_endpoint: { ip: '198.51.100.7' },
      evidences: [{ api: { operation: 'UpdateTrail', service: { name: 'cloudtrail.amazonaws.com' } }, data: { event_uid: 'e-1', record } }],
    });
  });

  it.each([
    ['suppressed', 3, false, 2],
    ['acknowledged', 2, true, 2],
    ['resolved', 4, true, 3],
    ['false_positive', 4, true, 3],
  ] as const)('maps status %s to status_id %d (alert: %s, activity %d)', (status, statusId, alert, activity) => {
    const o = ocsfDetectionFinding(view({ status }));
    expect(o).toMatchObject({ status_id: statusId, is_alert: alert, activity_id: activity });
    expect(o).not.toHaveProperty('evidences');
  });

  it('is a Create while the finding holds one event and nobody took it up', () => {
    expect(ocsfDetectionFinding(view({ eventCount: 1 }))).toMatchObject({ activity_id: 1, type_uid: 200401 });
    expect(ocsfDetectionFinding(view({ eventCount: 1, status: 'suppressed' }))).toMatchObject({ activity_id: 1 });
  });

  it('turns Sigma ATT&CK tags into techniques, sub-techniques and tactics (old and renumbered ids alike)', () => {
    const attacks = ocsfAttacks(view().tags);
    expect(attacks).toEqual([
      expect.objectContaining({
        technique: { uid: 'T1562' },
        sub_technique: { uid: 'T1562.008' },
        tactic: { name: 'Defense Evasion', uid: 'TA0005' },
      }),
      expect.objectContaining({ technique: { uid: 'T1685' }, sub_technique: { uid: 'T1685.002' } }),
    ]);
    expect(attacks[0]!['tactics']).toEqual([{ name: 'Defense Evasion', uid: 'TA0005' }, { name: 'Defense Impairment' }]);
    expect(ocsfAttacks(['attack.command-and-control', 'cve.2021-44228'])).toEqual([
      { tactic: { name: 'Command and Control', uid: 'TA0011' } },
    ]);
  });
});
