import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { WebhookError } from './webhooks.errors';

const FORMAT_VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12; // the GCM standard nonce size
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const B64URL = /^[A-Za-z0-9_-]*$/;

export interface SecretBoxKey {
  /** Stored in every ciphertext so old rows stay readable after the current key changes. */
  id: string;
  /** 32 raw bytes, or their base64 / hex text (e.g. straight from an env var). */
  key: Buffer | string;
}

export interface SecretBoxOptions {
  /** Encrypts everything new. */
  current: SecretBoxKey;
  /** Still accepted for decryption while rows are re-encrypted under `current`. */
  previous?: SecretBoxKey[];
}

/** Accepts 32 bytes as a Buffer, 64 hex characters, or base64/base64url text. */
export function decodeEncryptionKey(key: Buffer | string): Buffer {
  let bytes: Buffer;
  if (Buffer.isBuffer(key)) bytes = key;
  else if (/^[0-9a-fA-F]{64}$/.test(key)) bytes = Buffer.from(key, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(key)) bytes = Buffer.from(key, 'base64');
  else throw new WebhookError('secret_key_invalid', 'encryption key must be 32 bytes as hex or base64');
  if (bytes.length !== KEY_BYTES) {
    throw new WebhookError('secret_key_invalid', `encryption key must be ${KEY_BYTES} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/**
 * Encrypts webhook signing secrets at rest with AES-256-GCM.
 *
 * Ciphertext format: `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url parts). The version and key
 * id are authenticated as associated data, together with an optional caller `context` (e.g. the
 * endpoint id) so a ciphertext copied onto another row fails to decrypt instead of silently
 * handing that endpoint someone else's secret.
 */
export class SecretBox {
  private readonly currentId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(options: SecretBoxOptions) {
    for (const entry of [options.current, ...(options.previous ?? [])]) {
      if (!KEY_ID.test(entry.id)) {
        throw new WebhookError('secret_key_invalid', `key id "${entry.id}" must match ${KEY_ID.source}`);
      }
      if (this.keys.has(entry.id)) {
        throw new WebhookError('secret_key_invalid', `key id "${entry.id}" is given twice`);
      }
      this.keys.set(entry.id, decodeEncryptionKey(entry.key));
    }
    this.currentId = options.current.id;
  }

  get currentKeyId(): string {
    return this.currentId;
  }

  encrypt(plaintext: string, context = ''): string {
    const key = this.keys.get(this.currentId) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(this.currentId, context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT_VERSION, this.currentId, b64url(iv), b64url(body), b64url(cipher.getAuthTag())].join('.');
  }

  decrypt(ciphertext: string, context = ''): string {
    const parsed = parseCiphertext(ciphertext);
    const key = this.keys.get(parsed.keyId);
    if (!key) {
      throw new WebhookError('secret_unknown_key', `no decryption key with id "${parsed.keyId}"`, {
        keyId: parsed.keyId,
      });
    }
    const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(parsed.keyId, context));
    decipher.setAuthTag(parsed.tag);
    try {
      return Buffer.concat([decipher.update(parsed.body), decipher.final()]).toString('utf8');
    } catch {
      // GCM does not say whether the key, the data or the context was wrong; neither do we.
      throw new WebhookError('secret_decrypt_failed', 'secret ciphertext failed authentication', {
        keyId: parsed.keyId,
      });
    }
  }

  /** True when the ciphertext was written under a key other than the current one. */
  needsReencryption(ciphertext: string): boolean {
    return parseCiphertext(ciphertext).keyId !== this.currentId;
  }

  /** Decrypts under whichever key wrote it and encrypts under the current key. */
  reencrypt(ciphertext: string, context = ''): string {
    return this.encrypt(this.decrypt(ciphertext, context), context);
  }
}

function associatedData(keyId: string, context: string): Buffer {
  return Buffer.from(`${FORMAT_VERSION}.${keyId}.${context}`, 'utf8');
}

function b64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

interface ParsedCiphertext {
  keyId: string;
  iv: Buffer;
  body: Buffer;
  tag: Buffer;
}

function parseCiphertext(text: string): ParsedCiphertext {
  const parts = text.split('.');
  const [version, keyId, iv, body, tag] = parts;
  if (parts.length !== 5 || version === undefined || keyId === undefined || iv === undefined || body === undefined || tag === undefined) {
    throw new WebhookError('secret_format_invalid', 'secret ciphertext must have 5 dot-separated parts');
  }
  if (version !== FORMAT_VERSION) {
    throw new WebhookError('secret_format_invalid', `unsupported secret ciphertext version "${version}"`);
  }
  if (!KEY_ID.test(keyId) || ![iv, body, tag].every((p) => B64URL.test(p))) {
    throw new WebhookError('secret_format_invalid', 'secret ciphertext has malformed parts');
  }
  const parsed = {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    body: Buffer.from(body, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
  };
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES) {
    throw new WebhookError('secret_format_invalid', 'secret ciphertext has a wrong nonce or tag length');
  }
  return parsed;
}
