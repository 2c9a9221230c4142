import { bodyVariant, formatBody, testBody } from './payload-format';

const at = new Date('2026-12-06T04:00:00.000Z');
const event = { type: 'finding.created' as const, data: { id: 'f1', ruleTitle: 'Rule', severity: 'low', status: 'open' }, at };
const PD = 'https://events.pagerduty.com/v2/enqueue#KEY123';

describe('payload formats', () => {
  it('build each format from the same event', () => {
    expect(JSON.parse(formatBody('standard', 'https://x.example/h', event))).toEqual({
      type: 'finding.created',
      timestamp: at.toISOString(),
      data: event.data,
    });
    expect(JSON.parse(formatBody('slack', 'https://hooks.slack.com/x', event)).text).toBe('New finding [LOW]: Rule');
    expect(JSON.parse(formatBody('teams', 'https://x.webhook.office.com/x', event)).attachments[0].content.type).toBe('AdaptiveCard');
    expect(JSON.parse(formatBody('pagerduty', PD, event))).toMatchObject({ routing_key: 'KEY123', dedup_key: 'trailguard:finding:f1' });
  });

  it('share bytes per format, and per routing key for PagerDuty', () => {
    expect(bodyVariant('standard', 'https://a.example')).toBe(bodyVariant('standard', 'https://b.example'));
    expect(bodyVariant('pagerduty', PD)).not.toBe(bodyVariant('pagerduty', 'https://events.pagerduty.com/v2/enqueue#OTHER'));
    // A keyless endpoint (refused by the API) never breaks the fan-out of the others: its own delivery fails.
    expect(JSON.parse(formatBody('pagerduty', 'https://events.pagerduty.com/v2/enqueue', event)).routing_key).toBe('');
  });

  it('have a test message each', () => {
    expect(JSON.parse(testBody('standard', 'https://x.example', 'ep1', at))).toMatchObject({
      type: 'webhook.test',
      data: { endpointId: 'ep1' },
    });
    expect(JSON.parse(testBody('slack', 'https://x.example', 'ep1', at))).toEqual({ text: 'Test message from Trailguard' });
    expect(JSON.parse(testBody('teams', 'https://x.example', 'ep1', at)).attachments[0].content.body[0].text).toBe(
      'Test message from Trailguard',
    );
    expect(JSON.parse(testBody('pagerduty', PD, 'ep1', at))).toMatchObject({
      routing_key: 'KEY123',
      event_action: 'trigger',
      dedup_key: 'trailguard:test:ep1',
      payload: { severity: 'info' },
    });
  });
});
