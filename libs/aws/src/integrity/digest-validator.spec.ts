import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import {
  checkLogFile,
  digestSigningString,
  parseDigestFile,
  parseDigestKey,
  verifyDigestSignature,
  type DigestFile,
} from './digest-validator';

// A key pair standing in for CloudTrail's regional signing key; ListPublicKeys serves PKCS#1 DER.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const der = publicKey.export({ format: 'der', type: 'pkcs1' });
const fingerprint = createHash('md5').update(der).digest('hex');
const keys = [{ fingerprint, der }];

const bucket = 'trail-bucket';
const key =
  'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz';
const logText = Buffer.from('{"Records":[{"eventID":"e1"}]}');

function digestOf(previousSignature: string | null): DigestFile {
  return {
    awsAccountId: '111122223333',
    digestStartTime: '2015-08-17T14:01:31Z',
    digestEndTime: '2015-08-17T15:01:31Z',
    digestS3Bucket: bucket,
    digestS3Object: key,
    digestPublicKeyFingerprint: fingerprint,
    digestSignatureAlgorithm: 'SHA256withRSA',
    previousDigestS3Bucket: previousSignature ? bucket : null,
    previousDigestS3Object: previousSignature ? key.replace('150131', '140131') : null,
    previousDigestHashValue: previousSignature ? 'aa' : null,
    previousDigestHashAlgorithm: previousSignature ? 'SHA-256' : null,
    previousDigestSignature: previousSignature,
    logFiles: [
      {
        s3Bucket: bucket,
        s3Object: 'AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/111122223333_CloudTrail_us-east-2_20150817T1445Z_abc.json.gz',
        hashValue: createHash('sha256').update(logText).digest('hex'),
        hashAlgorithm: 'SHA-256',
      },
    ],
  };
}

/** Signs as AWS documents it, written out independently of digestSigningString. */
function signAsAws(digest: DigestFile, raw: Buffer): string {
  const text = [
    digest.digestEndTime,
    `${bucket}/${key}`,
    createHash('sha256').update(raw).digest('hex'),
    digest.previousDigestSignature ?? 'null',
  ].join('\n');
  return sign('sha256', Buffer.from(text), privateKey).toString('hex');
}

describe('parseDigestKey', () => {
  it('reads account, region, trail, home region and end time from the published key layout', () => {
    expect(parseDigestKey(`logs/${key}`)).toEqual({
      prefix: 'logs/',
      accountId: '111122223333',
      region: 'us-east-2',
      trailName: 'your-trail-name',
      homeRegion: 'us-east-2',
      endTime: new Date('2015-08-17T15:01:31Z'),
      backfill: false,
    });
    expect(parseDigestKey(key.replace('.json.gz', '_backfill.json.gz'))?.backfill).toBe(true);
    expect(parseDigestKey('AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/x.json.gz')).toBeNull();
  });
});

describe('digestSigningString', () => {
  it('is end time, bucket/key, hex SHA-256 of the uncompressed digest and the previous signature, on four lines', () => {
    const raw = Buffer.from('{}');
    expect(digestSigningString({ digestEndTime: '2015-08-17T15:01:31Z', previousDigestSignature: 'ab12' }, bucket, key, raw)).toBe(
      `2015-08-17T15:01:31Z\n${bucket}/${key}\n${createHash('sha256').update(raw).digest('hex')}\nab12`,
    );
    expect(digestSigningString({ digestEndTime: 't', previousDigestSignature: null }, 'b', 'k', raw).endsWith('\nnull')).toBe(true);
  });
});

describe('verifyDigestSignature', () => {
  const check = (
    digest: DigestFile,
    raw: Buffer,
    signatureHex: string | undefined,
    overrides: Partial<Parameters<typeof verifyDigestSignature>[0]> = {},
  ) =>
    verifyDigestSignature({
      digest,
      bucket,
      key,
      uncompressed: raw,
      signatureHex,
      signatureAlgorithm: 'SHA256withRSA',
      publicKeys: keys,
      ...overrides,
    });

  it.each([null, 'c0ffee'])('accepts a genuine digest (previous signature %s)', (previous) => {
    const digest = digestOf(previous);
    const raw = Buffer.from(JSON.stringify(digest));
    expect(check(digest, raw, signAsAws(digest, raw))).toEqual({ ok: true, fingerprint });
  });

  it('rejects a digest whose content changed after signing', () => {
    const digest = digestOf('c0ffee');
    const raw = Buffer.from(JSON.stringify(digest));
    const signature = signAsAws(digest, raw);
    const edited = { ...digest, logFiles: [] };
    expect(check(edited, Buffer.from(JSON.stringify(edited)), signature)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a signature that does not cover the previous signature it names', () => {
    const digest = digestOf('c0ffee');
    const raw = Buffer.from(JSON.stringify(digest));
    const signature = signAsAws({ ...digest, previousDigestSignature: 'deadbeef' }, raw);
    expect(check(digest, raw, signature)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a digest read from another place than the one it names, an unknown key, a missing signature', () => {
    const digest = digestOf(null);
    const raw = Buffer.from(JSON.stringify(digest));
    const signature = signAsAws(digest, raw);
    expect(check(digest, raw, signature, { key: key.replace('150131', '160131') })).toEqual({ ok: false, reason: 'wrong_location' });
    expect(check(digest, raw, signature, { publicKeys: [{ fingerprint: '00'.repeat(16), der }] })).toEqual({
      ok: false,
      reason: 'unknown_public_key',
    });
    expect(check(digest, raw, undefined)).toEqual({ ok: false, reason: 'missing_signature' });
    expect(check(digest, raw, signature, { signatureAlgorithm: 'SHA1withRSA' })).toEqual({ ok: false, reason: 'unsupported_algorithm' });
  });
});

describe('checkLogFile', () => {
  const entry = digestOf(null).logFiles[0]!;
  it('tells a valid, a deleted and a modified log file apart by the SHA-256 of the uncompressed bytes', () => {
    expect(checkLogFile(entry, logText)).toBe('valid');
    expect(checkLogFile(entry, null)).toBe('deleted');
    expect(checkLogFile(entry, Buffer.from('{"Records":[]}'))).toBe('modified');
  });
});

describe('parseDigestFile', () => {
  it('keeps the published fields and refuses what is not a digest', () => {
    const digest = digestOf(null);
    expect(parseDigestFile(Buffer.from(JSON.stringify(digest)))).toEqual(digest);
    expect(parseDigestFile(Buffer.from('{"Records":[]}'))).toBeNull();
    expect(parseDigestFile(Buffer.from('not json'))).toBeNull();
  });
});
