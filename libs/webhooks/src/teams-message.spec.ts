import { escapeCardText, teamsBodyFor } from './teams-message';

type Card = { type: string; version: string; body: Array<Record<string, any>> };
const cardOf = (body: string) => {
  const m = JSON.parse(body) as {
    type: string;
    summary: string;
    attachments: Array<{ contentType: string; contentUrl: null; content: Card }>;
  };
  expect(m.type).toBe('message');
  expect(m.attachments).toHaveLength(1);
  expect(m.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
  return { message: m, card: m.attachments[0]!.content };
};

const finding = {
  id: 'f-high',
  ruleTitle: 'AWS CloudTrail UpdateTrail with multi-region disabled',
  severity: 'high',
  status: 'open',
  actor: 'arn:aws:iam::111122223333:user/mallory',
  region: 'us-east-1',
  eventCount: 1,
};

describe('teamsBodyFor', () => {
  it('is one Adaptive Card: a coloured headline, a summary and the facts', () => {
    const { message, card } = cardOf(teamsBodyFor('finding.created', finding));
    expect(message.summary).toBe('New finding: AWS CloudTrail UpdateTrail with multi-region disabled');
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.body[0]).toMatchObject({
      type: 'TextBlock',
      text: 'New finding [HIGH]: AWS CloudTrail UpdateTrail with multi-region disabled',
      weight: 'Bolder',
      color: 'attention',
    });
    expect(card.body[1]!.text).toBe('1 event(s) by arn:aws:iam::111122223333:user/mallory');
    expect(card.body[2]).toEqual({
      type: 'FactSet',
      facts: [
        { title: 'Actor', value: 'arn:aws:iam::111122223333:user/mallory' },
        { title: 'Region', value: 'us-east-1' },
        { title: 'Events', value: '1' },
        { title: 'Status', value: 'open' },
        { title: 'Finding', value: 'f-high' },
      ],
    });
    expect(card.body).toHaveLength(3);
  });

  it('lists every finding of an alert group, highest first', () => {
    const group = [
      { id: 'f-high', ruleTitle: finding.ruleTitle, severity: 'high' },
      { id: 'f-med', ruleTitle: 'AWS CloudTrail Important Change', severity: 'medium' },
    ];
    const { card } = cardOf(teamsBodyFor('finding.created', { ...finding, alertGroup: { findings: group } }));
    expect(card.body[3]).toMatchObject({ type: 'TextBlock', text: 'Findings of this alert (2)' });
    expect(card.body[4]!.facts).toEqual([
      { title: 'HIGH', value: 'AWS CloudTrail UpdateTrail with multi-region disabled (f-high)' },
      { title: 'MEDIUM', value: 'AWS CloudTrail Important Change (f-med)' },
    ]);
  });

  it('describes status changes and posture changes', () => {
    const updated = cardOf(
      teamsBodyFor('finding.updated', {
        reason: 'status_changed',
        from: 'open',
        to: 'resolved',
        finding: { ...finding, status: 'resolved' },
      }),
    );
    expect(updated.card.body[1]!.text).toBe('status open → resolved');
    const posture = cardOf(
      teamsBodyFor('posture.changed', { awsAccountId: '111122223333', posture: { hasLoggingMultiRegionTrail: false }, findingId: 'p1' }),
    );
    expect(posture.card.body[0]!.text).toBe('Trail posture changed [HIGH]: AWS account 111122223333');
  });

  it('escapes markdown so event data cannot become links or emphasis', () => {
    expect(escapeCardText('[click](https://evil.example) *now* _x_')).toBe('\\[click\\](https://evil.example) \\*now\\* \\_x\\_');
    const { card } = cardOf(teamsBodyFor('finding.created', { ...finding, actor: '[boss](https://evil.example)' }));
    expect(JSON.stringify(card)).not.toContain('[boss](');
  });
});
