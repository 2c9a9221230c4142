import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { SimStore } from './sim-store';
import type { SimTrail } from './sim-types';

/**
 * CloudTrail log file integrity validation as AWS delivers it: one signed digest per trail and
 * region covering the log files delivered since the previous digest, chained by the previous
 * digest's signature. The simulator signs with its own RSA key pair, which ListPublicKeys serves.
 */
export interface SimSigningKey {
  privateKey: KeyObject;
  /** PKCS#1 RSAPublicKey, DER: what ListPublicKeys returns as Value. */
  publicDer: Buffer;
  /** Hex MD5 of the DER public key (AWS publishes a 32-hex fingerprint per key). */
  fingerprint: string;
  validFrom: number;
}

let cachedKey: SimSigningKey | null = null;

/** One key pair per process: generating RSA keys is slow and the key is public anyway. */
export function simSigningKey(): SimSigningKey {
  if (!cachedKey) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicDer = publicKey.export({ format: 'der', type: 'pkcs1' });
    cachedKey = {
      privateKey,
      publicDer,
      fingerprint: createHash('md5').update(publicDer).digest('hex'),
      validFrom: Date.now() - 30 * 24 * 3600 * 1000,
    };
  }
  return cachedKey;
}

/** ListPublicKeys output (JSON 1.1: blobs base64, timestamps epoch seconds). */
export function listPublicKeysOutput(): Record<string, unknown> {
  const key = simSigningKey();
  return {
    PublicKeyList: [
      {
        Value: key.publicDer.toString('base64'),
        ValidityStartTime: Math.floor(key.validFrom / 1000),
        ValidityEndTime: Math.floor(key.validFrom / 1000) + 400 * 24 * 3600,
        Fingerprint: key.fingerprint,
      },
    ],
  };
}

const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const compact = (ms: number): string => isoSeconds(ms).replace(/[-:]/g, '');

function datePath(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
}

function eventTimes(body: Buffer): { oldest: string | null; newest: string | null } {
  try {
    const records = (JSON.parse(gunzipSync(body).toString('utf8')) as { Records?: Array<{ eventTime?: string }> }).Records ?? [];
    const times = records
      .map((r) => r.eventTime)
      .filter((t): t is string => typeof t === 'string')
      .sort();
    return { oldest: times[0] ?? null, newest: times[times.length - 1] ?? null };
  } catch {
    return { oldest: null, newest: null };
  }
}

/**
 * Delivers the next digest of a trail for one region and returns its key. Log files are those
 * under the trail's prefix for the account and region not covered by an earlier digest.
 */
export function deliverDigest(store: SimStore, trail: SimTrail, accountId: string, region: string, now: number): string {
  if (!trail.logFileValidationEnabled) throw new Error(`trail ${trail.name} does not have log file validation enabled`);
  const bucket = store.buckets.get(trail.s3BucketName);
  if (!bucket) throw new Error(`unknown bucket ${trail.s3BucketName}`);
  const chainKey = `${trail.arn}|${region}`;
  let chain = store.digestChains.get(chainKey);
  if (!chain) store.digestChains.set(chainKey, (chain = { last: null, covered: new Set() }));
  const prefix = trail.s3KeyPrefix ? `${trail.s3KeyPrefix}/` : '';
  const logPrefix = `${prefix}AWSLogs/${accountId}/CloudTrail/${region}/`;
  const logFiles = [...bucket.objects.entries()]
    .filter(([k]) => k.startsWith(logPrefix) && !chain.covered.has(`${bucket.name}/${k}`))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, o]) => {
      chain.covered.add(`${bucket.name}/${k}`);
      const times = eventTimes(o.body);
      return {
        s3Bucket: bucket.name,
        s3Object: k,
        hashValue: createHash('sha256').update(gunzipSync(o.body)).digest('hex'),
        hashAlgorithm: 'SHA-256',
        newestEventTime: times.newest,
        oldestEventTime: times.oldest,
      };
    });
  const key = simSigningKey();
  const endMs = Math.max(now, (chain.last?.endTime ?? 0) + 1000);
  const startMs = chain.last?.endTime ?? endMs - 3600_000;
  const digestKey =
    `${prefix}AWSLogs/${accountId}/CloudTrail-Digest/${region}/${datePath(endMs)}/` +
    `${accountId}_CloudTrail-Digest_${region}_${trail.name}_${trail.homeRegion}_${compact(endMs)}.json.gz`;
  const newest = logFiles
    .map((f) => f.newestEventTime)
    .filter((t): t is string => !!t)
    .sort();
  const oldest = logFiles
    .map((f) => f.oldestEventTime)
    .filter((t): t is string => !!t)
    .sort();
  const digest = {
    awsAccountId: accountId,
    digestStartTime: isoSeconds(startMs),
    digestEndTime: isoSeconds(endMs),
    digestS3Bucket: bucket.name,
    digestS3Object: digestKey,
    digestPublicKeyFingerprint: key.fingerprint,
    digestSignatureAlgorithm: 'SHA256withRSA',
    newestEventTime: newest[newest.length - 1] ?? null,
    oldestEventTime: oldest[0] ?? null,
    previousDigestS3Bucket: chain.last?.bucket ?? null,
    previousDigestS3Object: chain.last?.key ?? null,
    previousDigestHashValue: chain.last?.hash ?? null,
    previousDigestHashAlgorithm: chain.last ? 'SHA-256' : null,
    previousDigestSignature: chain.last?.signature ?? null,
    logFiles,
  };
  const raw = Buffer.from(JSON.stringify(digest));
  const hash = createHash('sha256').update(raw).digest('hex');
  // AWS's data signing string; the first digest of a chain signs the literal "null".
  const toSign = `${digest.digestEndTime}\n${bucket.name}/${digestKey}\n${hash}\n${digest.previousDigestSignature ?? 'null'}`;
  const signature = sign('sha256', Buffer.from(toSign, 'utf8'), key.privateKey).toString('hex');
  store.putObject(bucket.name, digestKey, gzipSync(raw), 'application/x-gzip', now, {
    signature,
    'signature-algorithm': 'SHA256withRSA',
  });
  chain.last = { bucket: bucket.name, key: digestKey, signature, hash, endTime: endMs };
  return digestKey;
}

/**
 * What an attacker does to the record after delivery: delete an object, or alter it (a log file
 * loses its last record, any other object gets a byte appended), keeping its metadata.
 */
export function tamperObject(store: SimStore, bucketName: string, key: string, action: 'delete' | 'alter', now: number): void {
  const bucket = store.buckets.get(bucketName);
  const object = bucket?.objects.get(key);
  if (!bucket || !object) throw new Error(`no object ${bucketName}/${key}`);
  if (action === 'delete') {
    bucket.objects.delete(key);
    return;
  }
  let body: Buffer;
  try {
    const parsed = JSON.parse(gunzipSync(object.body).toString('utf8')) as Record<string, unknown>;
    if (Array.isArray(parsed.Records) && parsed.Records.length > 0) parsed.Records.pop();
    else parsed.tampered = true;
    body = gzipSync(JSON.stringify(parsed));
  } catch {
    body = Buffer.concat([object.body, Buffer.from(' ')]);
  }
  store.putObject(bucketName, key, body, object.contentType, now, object.metadata);
}
