import { slackBodyFor, toSlackMessage } from './slack-message';

describe('toSlackMessage', () => {
  it('builds a Block Kit message with plain-text fallback, fields and a link', () => {
    const message = JSON.parse(
      toSlackMessage({
        type: 'finding.created',
        title: 'Root account login',
        severity: 'high',
        summary: 'ConsoleLogin by root from 203.0.113.5',
        link: 'https://console.example.com/findings/f_1',
        fields: { Account: '123456789012', Region: 'eu-west-1' },
      }),
    ) as { text: string; blocks: Array<{ text?: { text: string }; fields?: Array<{ text: string }> }> };
    expect(message.text).toBe('New finding [HIGH]: Root account login');
    expect(message.blocks[0]?.text?.text).toBe(
      '*New finding [HIGH]: Root account login*\nConsoleLogin by root from 203.0.113.5\n<https://console.example.com/findings/f_1|Open in Trailguard>',
    );
    expect(message.blocks[1]?.fields?.map((f) => f.text)).toEqual(['*Account*\n123456789012', '*Region*\neu-west-1']);
  });

  it('escapes Slack control characters so event data cannot inject links or mentions', () => {
    const message = JSON.parse(
      toSlackMessage({
        type: 'posture.changed',
        title: '<!channel> & <https://evil.example|click>',
        link: 'javascript:x',
      }),
    ) as { blocks: Array<{ text: { text: string } }> };
    expect(message.blocks[0]?.text.text).toBe('*Trail posture changed: &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;*');
    expect(message.blocks).toHaveLength(1);
  });
});

describe('slackBodyFor', () => {
  const parse = (body: string) =>
    JSON.parse(body) as { text: string; blocks: Array<{ text?: { text: string }; fields?: Array<{ text: string }> }> };
  const finding = {
    id: 'f-1',
    ruleTitle: 'AWS CloudTrail UpdateTrail with multi-region disabled',
    severity: 'high',
    status: 'open',
    actor: 'arn:aws:iam::111122223333:user/mallory',
    region: 'us-east-1',
    sourceIp: '198.51.100.7',
    eventCount: 1,
  };

  it('names every finding of an alert group in one message, the highest in the headline', () => {
    const group = [
      { id: 'f-1', ruleTitle: finding.ruleTitle, severity: 'high' },
      { id: 'f-2', ruleTitle: 'AWS CloudTrail Important Change', severity: 'medium' },
      { id: 'f-3', ruleTitle: 'AWS CloudTrail UpdateTrail', severity: 'medium' },
    ];
    const m = parse(slackBodyFor('finding.created', { ...finding, alertGroup: { findings: group } }));
    expect(m.text).toBe('New finding [HIGH]: AWS CloudTrail UpdateTrail with multi-region disabled (+2 more)');
    expect(m.blocks[0]?.text?.text).toContain(
      '• [HIGH] AWS CloudTrail UpdateTrail with multi-region disabled\n• [MEDIUM] AWS CloudTrail Important Change\n• [MEDIUM] AWS CloudTrail UpdateTrail',
    );
  });

  it('names the grown findings of an events_added update in one message', () => {
    const group = [
      { id: 'f-1', ruleTitle: finding.ruleTitle, severity: 'high' },
      { id: 'f-2', ruleTitle: 'AWS CloudTrail UpdateTrail', severity: 'medium' },
    ];
    const m = parse(
      slackBodyFor('finding.updated', {
        reason: 'events_added',
        added: 1,
        finding: { ...finding, eventCount: 2 },
        alertGroup: { findings: group },
      }),
    );
    expect(m.text).toBe('Finding updated [HIGH]: AWS CloudTrail UpdateTrail with multi-region disabled (+1 more)');
    expect(m.blocks[0]?.text?.text).toContain(
      '1 more event(s), 2 in all\n• [HIGH] AWS CloudTrail UpdateTrail with multi-region disabled\n• [MEDIUM] AWS CloudTrail UpdateTrail',
    );
  });

  it('announces a new finding with its rule, severity, actor and where', () => {
    const m = parse(slackBodyFor('finding.created', finding));
    expect(m.text).toBe('New finding [HIGH]: AWS CloudTrail UpdateTrail with multi-region disabled');
    expect(m.blocks[0]?.text?.text).toContain('1 event(s) by arn:aws:iam::111122223333:user/mallory');
    expect(m.blocks[1]?.fields?.map((f) => f.text)).toEqual([
      '*Actor*\narn:aws:iam::111122223333:user/mallory',
      '*Region*\nus-east-1',
      '*Source IP*\n198.51.100.7',
      '*Events*\n1',
      '*Status*\nopen',
      '*Finding*\nf-1',
    ]);
  });

  it('says what changed in a finding update', () => {
    expect(
      parse(slackBodyFor('finding.updated', { reason: 'status_changed', from: 'open', to: 'resolved', finding })).blocks[0]?.text?.text,
    ).toContain('status open → resolved');
    expect(
      parse(slackBodyFor('finding.updated', { reason: 'events_added', added: 3, finding: { ...finding, eventCount: 4 } })).blocks[0]?.text
        ?.text,
    ).toContain('3 more event(s), 4 in all');
  });

  it('covers account status and posture changes', () => {
    const account = parse(
      slackBodyFor('account.status_changed', {
        accountId: 'a-1',
        name: 'prod',
        status: 'error',
        previousStatus: 'active',
        reason: 'AccessDenied',
      }),
    );
    expect(account.text).toBe('Account status changed: prod');
    expect(account.blocks[0]?.text?.text).toContain('active → error: AccessDenied');
    const posture = parse(slackBodyFor('posture.changed', { accountId: 'a-1', awsAccountId: '111122223333', findingId: 'f-2' }));
    expect(posture.text).toBe('Trail posture changed [HIGH]: AWS account 111122223333');
  });
});
