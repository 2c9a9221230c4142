import { buildWebhookBody, isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-payload';

describe('buildWebhookBody', () => {
  it('produces the exact minified {"type","timestamp","data"} string', () => {
    const body = buildWebhookBody('finding.created', { id: 'f_1', severity: 'high' }, new Date('2026-11-29T10:00:00Z'));
    expect(body).toBe('{"type":"finding.created","timestamp":"2026-11-29T10:00:00.000Z","data":{"id":"f_1","severity":"high"}}');
  });

  it('accepts an ISO timestamp string and normalises it', () => {
    expect(buildWebhookBody('posture.changed', {}, '2026-11-29T10:00:00+01:00')).toBe(
      '{"type":"posture.changed","timestamp":"2026-11-29T09:00:00.000Z","data":{}}',
    );
  });

  it('knows exactly the four event types', () => {
    expect([...WEBHOOK_EVENT_TYPES].sort()).toEqual(['account.status_changed', 'finding.created', 'finding.updated', 'posture.changed']);
    expect(isWebhookEventType('finding.deleted')).toBe(false);
  });

  it('refuses unknown types, bad timestamps and non-object data', () => {
    expect(() => buildWebhookBody('finding.deleted' as WebhookEventType, {}, new Date())).toThrow(
      expect.objectContaining({ code: 'unknown_event_type' }) as Error,
    );
    expect(() => buildWebhookBody('finding.updated', {}, 'yesterday')).toThrow(
      expect.objectContaining({ code: 'invalid_signing_input' }) as Error,
    );
    expect(() => buildWebhookBody('finding.updated', [] as unknown as Record<string, unknown>, new Date())).toThrow(
      expect.objectContaining({ code: 'invalid_signing_input' }) as Error,
    );
  });
});
