import { randomBytes, randomUUID } from 'node:crypto';

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomFrom(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** AKIA... for long-term user keys, ASIA... for STS-issued ones, like AWS. */
export function newAccessKeyId(temporary: boolean): string {
  return (temporary ? 'ASIA' : 'AKIA') + randomFrom(KEY_ALPHABET, 16);
}

export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

export function newSessionToken(): string {
  return 'FwoGZXIvYXdzE' + randomBytes(96).toString('base64');
}

export function newAccountId(): string {
  let id = '';
  const bytes = randomBytes(12);
  for (const b of bytes) id += String(b % 10);
  return id.startsWith('0') ? `1${id.slice(1)}` : id;
}

/** IAM unique ids: AIDA (users), AROA (roles). */
export function newUniqueId(prefix: 'AIDA' | 'AROA'): string {
  return prefix + randomFrom(KEY_ALPHABET, 17);
}

export function newRequestId(): string {
  return randomUUID();
}
