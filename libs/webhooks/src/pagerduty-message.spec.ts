import { pagerdutyBodyFor, pagerdutyDedupKey, pagerdutyRoutingKey } from './pagerduty-message';

const KEY = 'R0UT1NGKEYabcdef0123456789ABCDEF';
const at = new Date('2026-12-06T04:00:00.000Z');
const body = (type: Parameters<typeof pagerdutyBodyFor>[0], data: Record<string, unknown>) =>
  JSON.parse(pagerdutyBodyFor(type, data, { routingKey: KEY, timestamp: at })) as Record<string, any>;

const finding = {
  id: 'f-high',
  ruleTitle: 'AWS CloudTrail UpdateTrail with multi-region disabled',
  severity: 'high',
  status: 'open',
  actor: 'arn:aws:iam::111122223333:user/mallory',
  accountId: 'acc-1',
  region: 'us-east-1',
  eventCount: 1,
};

describe('pagerdutyRoutingKey', () => {
  it.each([
    [`https://events.pagerduty.com/v2/enqueue#${KEY}`, KEY],
    [`https://events.pagerduty.com/v2/enqueue#routing_key=${KEY}`, KEY],
    ['https://events.pagerduty.com/v2/enqueue', null],
    ['https://events.pagerduty.com/v2/enqueue#', null],
    ['https://events.pagerduty.com/v2/enqueue#key with spaces', null],
    ['not a url', null],
    ['https://events.pagerduty.com/v2/enqueue#%zz', null],
  ])('%s -> %s', (url, key) => {
    expect(pagerdutyRoutingKey(url)).toBe(key);
  });
});

describe('pagerdutyBodyFor', () => {
  it('triggers a new finding, keyed by the finding, with its severity mapped and the whole alert group', () => {
    const others = [
      { id: 'f-high', ruleTitle: finding.ruleTitle, severity: 'high' },
      { id: 'f-med-1', ruleTitle: 'AWS CloudTrail Important Change', severity: 'medium' },
      { id: 'f-med-2', ruleTitle: 'AWS CloudTrail UpdateTrail', severity: 'medium' },
    ];
    const b = body('finding.created', { ...finding, alertGroup: { eventId: 'e1', findings: others } });
    expect(b).toMatchObject({ routing_key: KEY, event_action: 'trigger', dedup_key: 'trailguard:finding:f-high', client: 'Trailguard' });
    expect(b.payload).toMatchObject({
      severity: 'error',
      source: finding.actor,
      timestamp: at.toISOString(),
      component: 'us-east-1',
      group: 'acc-1',
      class: 'finding.created',
    });
    expect(b.payload.summary).toBe(
      '[HIGH] AWS CloudTrail UpdateTrail with multi-region disabled: 1 event(s) by arn:aws:iam::111122223333:user/mallory (+2 more: AWS CloudTrail Important Change; AWS CloudTrail UpdateTrail)',
    );
    expect(b.payload.custom_details.findings.map((f: { id: string }) => f.id)).toEqual(['f-high', 'f-med-1', 'f-med-2']);
  });

  it.each([
    ['critical', 'critical'],
    ['high', 'error'],
    ['medium', 'warning'],
    ['low', 'info'],
    ['informational', 'info'],
  ])('maps severity %s to %s', (severity, expected) => {
    expect(body('finding.created', { ...finding, severity }).payload.severity).toBe(expected);
  });

  it.each([
    ['acknowledged', 'acknowledge'],
    ['resolved', 'resolve'],
    ['false_positive', 'resolve'],
    ['suppressed', 'resolve'],
    ['open', 'trigger'],
  ])('a status change to %s sends %s to the same incident', (to, action) => {
    const b = body('finding.updated', { reason: 'status_changed', from: 'open', to, finding: { ...finding, status: to } });
    expect(b.event_action).toBe(action);
    expect(b.dedup_key).toBe('trailguard:finding:f-high');
    // Acknowledge and resolve are the key and the action only, as the Events API defines them.
    if (action !== 'trigger') expect(Object.keys(b).sort()).toEqual(['dedup_key', 'event_action', 'routing_key']);
  });

  it('more events on an open finding trigger the same incident again (PagerDuty deduplicates)', () => {
    const b = body('finding.updated', { reason: 'events_added', added: 2, finding: { ...finding, eventCount: 3 } });
    expect(b).toMatchObject({ event_action: 'trigger', dedup_key: 'trailguard:finding:f-high' });
    expect(b.payload.summary).toContain('2 more event(s), 3 in all');
  });

  it('opens a posture incident on the posture finding and resolves it when logging is back', () => {
    const lost = body('posture.changed', {
      accountId: 'acc-1',
      awsAccountId: '111122223333',
      findingId: 'f-posture',
      posture: { hasLoggingMultiRegionTrail: false },
    });
    expect(lost).toMatchObject({ event_action: 'trigger', dedup_key: 'trailguard:finding:f-posture' });
    expect(lost.payload.severity).toBe('error');
    const back = body('posture.changed', { accountId: 'acc-1', findingId: 'f-posture', posture: { hasLoggingMultiRegionTrail: true } });
    expect(back).toEqual({ routing_key: KEY, event_action: 'resolve', dedup_key: 'trailguard:finding:f-posture' });
  });

  it('pages an account in error and resolves it when the account is healthy again', () => {
    const err = body('account.status_changed', {
      accountId: 'acc-1',
      name: 'prod',
      status: 'error',
      previousStatus: 'active',
      reason: 'AccessDenied',
    });
    expect(err).toMatchObject({ event_action: 'trigger', dedup_key: 'trailguard:account.status_changed:acc-1' });
    expect(err.payload).toMatchObject({ severity: 'error', summary: 'prod: active → error: AccessDenied' });
    const ok = body('account.status_changed', { accountId: 'acc-1', status: 'active', previousStatus: 'error' });
    expect(ok.event_action).toBe('resolve');
    expect(ok.dedup_key).toBe(err.dedup_key);
  });

  it('keeps the summary within the 1024 characters PagerDuty accepts', () => {
    const b = body('finding.created', { ...finding, ruleTitle: 'x'.repeat(2000) });
    expect(b.payload.summary).toHaveLength(1024);
    expect(b.payload.summary.endsWith('…')).toBe(true);
  });

  it('derives the key from the finding, else the account', () => {
    expect(pagerdutyDedupKey({ type: 'finding.created', findingId: 'f1' })).toBe('trailguard:finding:f1');
    expect(pagerdutyDedupKey({ type: 'account.status_changed', accountId: 'a1' })).toBe('trailguard:account.status_changed:a1');
  });
});
