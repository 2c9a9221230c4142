import { createHash, createPublicKey, verify } from 'node:crypto';

/**
 * CloudTrail log file integrity validation, as AWS documents it ("CloudTrail digest file
 * structure", "Custom implementations of CloudTrail log file integrity validation"). Pure
 * functions: the reader (digest-reader.ts) fetches the bytes.
 */

export interface DigestLogFile {
  s3Bucket: string;
  s3Object: string;
  /** Hex SHA-256 of the uncompressed log file. */
  hashValue: string;
  hashAlgorithm: string;
  newestEventTime?: string | null;
  oldestEventTime?: string | null;
}

export interface DigestFile {
  awsAccountId: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: string;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestHashAlgorithm: string | null;
  previousDigestSignature: string | null;
  logFiles: DigestLogFile[];
}

/** A key from CloudTrail ListPublicKeys: Value is a DER PKCS#1 RSA public key. */
export interface DigestPublicKey {
  fingerprint: string;
  der: Buffer;
  validFrom?: Date;
  validTo?: Date;
}

export interface DigestKeyParts {
  /** Everything before AWSLogs/ (the trail's S3 key prefix with its slash, or ""). */
  prefix: string;
  accountId: string;
  region: string;
  trailName: string;
  homeRegion: string;
  /** Digest end time from the file name. */
  endTime: Date;
  backfill: boolean;
}

const KEY_RE =
  /^(.*?)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/CloudTrail-Digest\/([a-z0-9-]+)\/\d{4}\/\d{2}\/\d{2}\/\2_CloudTrail-Digest_\3_(.+)_([a-z]{2}(?:-[a-z]+)+-\d)_(\d{8}T\d{6}Z)(_backfill)?\.json\.gz$/;

/** <prefix>AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/<account>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHMMSSZ>.json.gz */
export function parseDigestKey(key: string): DigestKeyParts | null {
  const m = KEY_RE.exec(key);
  if (!m) return null;
  const t = m[6]!;
  const endTime = new Date(`${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}Z`);
  return { prefix: m[1]!, accountId: m[2]!, region: m[3]!, trailName: m[4]!, homeRegion: m[5]!, endTime, backfill: m[7] !== undefined };
}

/**
 * AWS's data signing string: digestEndTime, the digest's S3 path (bucket/key), the hex SHA-256 of
 * the uncompressed digest file and the previous digest's hex signature ("null" for the first digest
 * of a chain), joined by newlines.
 */
export function digestSigningString(
  digest: Pick<DigestFile, 'digestEndTime' | 'previousDigestSignature'>,
  bucket: string,
  key: string,
  uncompressed: Buffer,
): string {
  const hash = createHash('sha256').update(uncompressed).digest('hex');
  return `${digest.digestEndTime}\n${bucket}/${key}\n${hash}\n${digest.previousDigestSignature ?? 'null'}`;
}

export type SignatureCheck =
  | { ok: true; fingerprint: string }
  | { ok: false; reason: 'wrong_location' | 'unsupported_algorithm' | 'unknown_public_key' | 'bad_signature' | 'missing_signature' };

/**
 * Steps A-B of AWS's custom validation: the digest says it lives where it was read, names a key
 * we have (by fingerprint), and its x-amz-meta-signature verifies as SHA256withRSA over the signing string.
 */
export function verifyDigestSignature(input: {
  digest: DigestFile;
  bucket: string;
  key: string;
  uncompressed: Buffer;
  signatureHex: string | undefined;
  signatureAlgorithm: string | undefined;
  publicKeys: readonly DigestPublicKey[];
}): SignatureCheck {
  const { digest } = input;
  if (digest.digestS3Bucket !== input.bucket || digest.digestS3Object !== input.key) return { ok: false, reason: 'wrong_location' };
  if (!input.signatureHex || !/^[0-9a-f]+$/i.test(input.signatureHex)) return { ok: false, reason: 'missing_signature' };
  const algorithm = input.signatureAlgorithm ?? digest.digestSignatureAlgorithm;
  if (algorithm !== 'SHA256withRSA' || digest.digestSignatureAlgorithm !== 'SHA256withRSA')
    return { ok: false, reason: 'unsupported_algorithm' };
  const end = new Date(digest.digestEndTime);
  const key = input.publicKeys.find(
    (k) =>
      k.fingerprint.toLowerCase() === digest.digestPublicKeyFingerprint.toLowerCase() &&
      (!k.validFrom || k.validFrom <= end) &&
      (!k.validTo || end <= k.validTo),
  );
  if (!key) return { ok: false, reason: 'unknown_public_key' };
  const publicKey = createPublicKey({ key: key.der, format: 'der', type: 'pkcs1' });
  const data = Buffer.from(digestSigningString(digest, input.bucket, input.key, input.uncompressed), 'utf8');
  const good = verify('sha256', data, publicKey, Buffer.from(input.signatureHex, 'hex'));
  return good ? { ok: true, fingerprint: key.fingerprint } : { ok: false, reason: 'bad_signature' };
}

/** Step C: a listed log file is intact when the SHA-256 of its uncompressed bytes is the digest's. */
export function checkLogFile(entry: DigestLogFile, uncompressed: Buffer | null): 'valid' | 'deleted' | 'modified' | 'unsupported_hash' {
  if (uncompressed === null) return 'deleted';
  if (entry.hashAlgorithm !== 'SHA-256') return 'unsupported_hash';
  return createHash('sha256').update(uncompressed).digest('hex') === entry.hashValue.toLowerCase() ? 'valid' : 'modified';
}

/** Parses an uncompressed digest file, refusing one that lacks the fields validation needs. */
export function parseDigestFile(uncompressed: Buffer): DigestFile | null {
  let v: unknown;
  try {
    v = JSON.parse(uncompressed.toString('utf8'));
  } catch {
    return null;
  }
  const d = v as Partial<DigestFile> | null;
  if (!d || typeof d !== 'object') return null;
  const strings = [
    'awsAccountId',
    'digestEndTime',
    'digestS3Bucket',
    'digestS3Object',
    'digestPublicKeyFingerprint',
    'digestSignatureAlgorithm',
  ] as const;
  if (strings.some((f) => typeof d[f] !== 'string') || !Array.isArray(d.logFiles)) return null;
  return {
    ...(d as DigestFile),
    previousDigestS3Bucket: d.previousDigestS3Bucket ?? null,
    previousDigestS3Object: d.previousDigestS3Object ?? null,
    previousDigestHashValue: d.previousDigestHashValue ?? null,
    previousDigestHashAlgorithm: d.previousDigestHashAlgorithm ?? null,
    previousDigestSignature: d.previousDigestSignature ?? null,
  };
}
