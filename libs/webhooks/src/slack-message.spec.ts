import { toSlackMessage } from './slack-message';

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
    expect(message.blocks[0]?.text.text).toBe(
      '*Trail posture changed: &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;*',
    );
    expect(message.blocks).toHaveLength(1);
  });
});
