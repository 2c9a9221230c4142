import { randomBytes } from 'node:crypto';
import { SecretBox, decodeEncryptionKey } from './secret-box';
import { generateWebhookSecret } from './webhook-secret';
import { WebhookError } from './webhooks.errors';

const keyA = randomBytes(32);
const keyB = randomBytes(32);

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof WebhookError ? err.code : 'not-a-webhook-error';
  }
  return undefined;
}

/** Flips one character of a base64url part without changing its length. */
function flipPart(ciphertext: string, index: number): string {
  const parts = ciphertext.split('.');
  const part = parts[index] as string;
  parts[index] = (part[0] === 'A' ? 'B' : 'A') + part.slice(1);
  return parts.join('.');
}

describe('SecretBox', () => {
  const box = new SecretBox({ current: { id: 'k1', key: keyA } });
  const secret = generateWebhookSecret();

  it('round-trips a secret through a versioned, key-tagged ciphertext', () => {
    const sealed = box.encrypt(secret, 'endpoint-1');
    expect(sealed).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(box.decrypt(sealed, 'endpoint-1')).toBe(secret);
  });

  it('uses a fresh nonce every time', () => {
    expect(box.encrypt(secret)).not.toBe(box.encrypt(secret));
  });

  it.each([
    ['nonce', 2],
    ['ciphertext', 3],
    ['tag', 4],
  ])('rejects a tampered %s with secret_decrypt_failed', (_name, index) => {
    const sealed = box.encrypt(secret, 'endpoint-1');
    expect(errorCode(() => box.decrypt(flipPart(sealed, index), 'endpoint-1'))).toBe('secret_decrypt_failed');
  });

  it('rejects a ciphertext moved to another row (context mismatch)', () => {
    const sealed = box.encrypt(secret, 'endpoint-1');
    expect(errorCode(() => box.decrypt(sealed, 'endpoint-2'))).toBe('secret_decrypt_failed');
  });

  it('rejects a ciphertext relabelled with another key id', () => {
    const both = new SecretBox({ current: { id: 'k2', key: keyB }, previous: [{ id: 'k1', key: keyA }] });
    const sealed = both.encrypt(secret).replace(/^v1\.k2\./, 'v1.k1.');
    expect(errorCode(() => both.decrypt(sealed))).toBe('secret_decrypt_failed');
  });

  it('rotates keys: old ciphertexts stay readable and can be re-encrypted under the new key', () => {
    const old = box.encrypt(secret, 'ep');
    const rotated = new SecretBox({ current: { id: 'k2', key: keyB }, previous: [{ id: 'k1', key: keyA }] });
    expect(rotated.decrypt(old, 'ep')).toBe(secret);
    expect(rotated.needsReencryption(old)).toBe(true);
    const fresh = rotated.reencrypt(old, 'ep');
    expect(fresh.startsWith('v1.k2.')).toBe(true);
    expect(rotated.needsReencryption(fresh)).toBe(false);
    expect(rotated.decrypt(fresh, 'ep')).toBe(secret);
    // Once k1 is retired its ciphertexts are refused by id, not by a confusing auth failure.
    const retired = new SecretBox({ current: { id: 'k2', key: keyB } });
    expect(errorCode(() => retired.decrypt(old, 'ep'))).toBe('secret_unknown_key');
  });

  it.each([
    ['wrong part count', 'v1.k1.abc'],
    ['unknown version', 'v9.k1.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA'],
    ['bad characters', 'v1.k1.AAAA$AAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA'],
    ['short nonce', 'v1.k1.AAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA'],
  ])('rejects a malformed ciphertext (%s)', (_name, text) => {
    expect(errorCode(() => box.decrypt(text))).toBe('secret_format_invalid');
  });

  it('accepts keys as hex or base64 text and refuses other lengths', () => {
    expect(decodeEncryptionKey(keyA.toString('hex')).equals(keyA)).toBe(true);
    expect(decodeEncryptionKey(keyA.toString('base64')).equals(keyA)).toBe(true);
    expect(decodeEncryptionKey(keyA.toString('base64url')).equals(keyA)).toBe(true);
    expect(errorCode(() => decodeEncryptionKey(randomBytes(16)))).toBe('secret_key_invalid');
    expect(errorCode(() => decodeEncryptionKey('too-short'))).toBe('secret_key_invalid');
    expect(errorCode(() => new SecretBox({ current: { id: 'bad id', key: keyA } }))).toBe('secret_key_invalid');
    expect(errorCode(() => new SecretBox({ current: { id: 'k1', key: keyA }, previous: [{ id: 'k1', key: keyB }] }))).toBe(
      'secret_key_invalid',
    );
  });
});
