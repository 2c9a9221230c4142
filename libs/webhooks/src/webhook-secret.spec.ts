import { decodeWebhookSecret, generateWebhookSecret } from './webhook-secret';
import { WebhookError } from './webhooks.errors';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof WebhookError ? err.code : 'not-a-webhook-error';
  }
  return undefined;
}

describe('generateWebhookSecret', () => {
  it('is whsec_ + base64 of 32 random bytes by default', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(decodeWebhookSecret(secret)).toHaveLength(32);
  });

  it('honours the length within the 24-64 byte range of the spec', () => {
    expect(decodeWebhookSecret(generateWebhookSecret(24))).toHaveLength(24);
    expect(codeOf(() => generateWebhookSecret(16))).toBe('invalid_secret');
    expect(codeOf(() => generateWebhookSecret(65))).toBe('invalid_secret');
  });

  it('never repeats', () => {
    const seen = new Set(Array.from({ length: 200 }, () => generateWebhookSecret()));
    expect(seen.size).toBe(200);
  });
});

describe('decodeWebhookSecret', () => {
  it.each([
    ['no prefix', 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0'],
    ['not base64', 'whsec_!!!!c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0'],
    ['bad padding', 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2Vj='],
    ['too short', `whsec_${Buffer.alloc(16, 1).toString('base64')}`],
    ['empty', 'whsec_'],
  ])('refuses %s', (_name, secret) => {
    expect(codeOf(() => decodeWebhookSecret(secret))).toBe('invalid_secret');
  });
});
