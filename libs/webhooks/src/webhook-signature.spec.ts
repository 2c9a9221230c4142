import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { buildWebhookBody } from './webhook-payload';
import { generateWebhookSecret } from './webhook-secret';
import { generateMessageId, signPayload } from './webhook-signature';
import { WebhookError } from './webhooks.errors';

// The independent verifier: the standardwebhooks reference library, not our own code.
function verifies(secret: string, body: string, headers: Record<string, string>): boolean {
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

describe('signPayload', () => {
  const body = buildWebhookBody('finding.created', { id: 'f_1', title: 'Root login — ✓' }, new Date());

  it('produces the three Standard Webhooks headers', () => {
    const secret = generateWebhookSecret();
    const now = new Date();
    const headers = signPayload({ msgId: 'msg_1', timestamp: now, body, secrets: [secret] });
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('matches the reference library byte for byte', () => {
    const secret = generateWebhookSecret();
    const at = new Date('2026-11-29T12:00:00Z');
    const ours = signPayload({ msgId: 'msg_abc', timestamp: at, body, secrets: [secret] });
    expect(ours['webhook-signature']).toBe(new Webhook(secret).sign('msg_abc', at, body));
  });

  it('verifies with the standardwebhooks verifier', () => {
    const secret = generateWebhookSecret();
    const headers = signPayload({ msgId: generateMessageId(), timestamp: new Date(), body, secrets: [secret] });
    expect(verifies(secret, body, { ...headers })).toBe(true);
  });

  it('signs with both secrets during rotation, and each verifies on its own', () => {
    const oldSecret = generateWebhookSecret();
    const newSecret = generateWebhookSecret();
    const headers = signPayload({ msgId: 'msg_rot', timestamp: new Date(), body, secrets: [newSecret, oldSecret] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifies(oldSecret, body, { ...headers })).toBe(true);
    expect(verifies(newSecret, body, { ...headers })).toBe(true);
    expect(verifies(generateWebhookSecret(), body, { ...headers })).toBe(false);
  });

  it('fails verification when the body, id or timestamp is tampered with', () => {
    const secret = generateWebhookSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = signPayload({ msgId: 'msg_t', timestamp: now, body, secrets: [secret] });
    expect(verifies(secret, body.replace('f_1', 'f_2'), { ...headers })).toBe(false);
    expect(verifies(secret, `${body} `, { ...headers })).toBe(false);
    expect(verifies(secret, body, { ...headers, 'webhook-id': 'msg_u' })).toBe(false);
    expect(verifies(secret, body, { ...headers, 'webhook-timestamp': String(now - 1) })).toBe(false);
  });

  it('verifies for arbitrary unicode bodies (property)', () => {
    const secret = generateWebhookSecret();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const b = JSON.stringify({ text });
        const headers = signPayload({ msgId: 'msg_p', timestamp: new Date(), body: b, secrets: [secret] });
        return verifies(secret, b, { ...headers });
      }),
      { numRuns: 100 },
    );
  });

  it.each([
    ['a dot in the id', { msgId: 'msg.1' }, 'invalid_message_id'],
    ['an empty id', { msgId: '' }, 'invalid_message_id'],
    ['no secrets', { secrets: [] as string[] }, 'invalid_signing_input'],
    ['a fractional timestamp', { timestamp: 1.5 }, 'invalid_signing_input'],
    ['a malformed secret', { secrets: ['whsec_nope'] }, 'invalid_secret'],
  ])('refuses %s', (_name, override, code) => {
    const input = { msgId: 'msg_ok', timestamp: new Date(), body, secrets: [generateWebhookSecret()], ...override };
    expect(() => signPayload(input)).toThrow(expect.objectContaining({ code }) as WebhookError);
  });
});
