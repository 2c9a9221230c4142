import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { ListPublicKeysCommand } from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { AwsIngestError } from '../aws.errors';
import type { CustomerAwsClients } from '../clients/customer-aws-clients';
import { withCredentialRetry } from '../clients/with-credential-retry';
import type { AssumeRoleTarget } from '../credentials/assumed-credentials-cache';
import { checkLogFile, parseDigestFile, parseDigestKey, verifyDigestSignature, type DigestPublicKey } from './digest-validator';

const gunzipAsync = promisify(gunzip);
/** Digest and log files are small; anything larger than this uncompressed is treated as tampered. */
const MAX_UNCOMPRESSED = 256 * 1024 * 1024;

/** Where one trail's chain of digests in one region stands. */
export interface DigestChainState {
  lastKey: string;
  lastSignature: string;
  lastEndTime: string;
}

export type IntegrityIssueKind = 'log_file_deleted' | 'log_file_modified' | 'digest_missing' | 'digest_invalid';

export interface IntegrityIssue {
  kind: IntegrityIssueKind;
  region: string;
  trailName: string;
  digestKey: string;
  /** The log file concerned, or for digest_missing the digest the chain names but S3 lacks. */
  object?: string;
  detail: string;
}

export interface IntegrityRun {
  issues: IntegrityIssue[];
  /** Chains after this run, by "<trail>|<region>". */
  chains: Record<string, DigestChainState>;
  /** The last digest key listed: the StartAfter of the next run. */
  position: string | null;
  digestsValidated: number;
  logFilesValidated: number;
}

export function digestPrefix(keyPrefix: string | null | undefined, accountId: string, region: string): string {
  const base = keyPrefix ? `${keyPrefix.replace(/\/+$/, '')}/` : '';
  return `${base}AWSLogs/${accountId}/CloudTrail-Digest/${region}/`;
}

interface Fetched {
  bytes: Buffer;
  metadata: Record<string, string>;
}

/**
 * Validates the digests delivered to a bucket for one account-region since `position`, as AWS's
 * custom-validation steps describe: each digest's signature with CloudTrail's public keys, its
 * link to the previous digest, and every log file it lists.
 */
export async function validateTrailDigests(
  clients: CustomerAwsClients,
  target: AssumeRoleTarget,
  input: {
    bucket: string;
    keyPrefix: string | null;
    accountId: string;
    region: string;
    position: string | null;
    chains: Record<string, DigestChainState>;
    maxDigests?: number;
  },
): Promise<IntegrityRun> {
  const s3 = clients.s3(target, input.region);
  const prefix = digestPrefix(input.keyPrefix, input.accountId, input.region);
  const readObject = async (bucket: string, key: string): Promise<Fetched | null> => {
    try {
      const out = await withCredentialRetry(clients, target, 's3:GetObject', () =>
        s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
      );
      const raw = Buffer.from(await out.Body!.transformToByteArray());
      return { bytes: await gunzipAsync(raw, { maxOutputLength: MAX_UNCOMPRESSED }), metadata: out.Metadata ?? {} };
    } catch (err) {
      if (err instanceof AwsIngestError && err.code === 'not_found') return null;
      const e = err as { code?: string };
      // Bytes that do not gunzip are not what CloudTrail delivered.
      if (typeof e.code === 'string' && (e.code.startsWith('Z_') || e.code === 'ERR_BUFFER_TOO_LARGE'))
        return { bytes: Buffer.from([]), metadata: {} };
      throw err;
    }
  };

  const keys: string[] = [];
  let token: string | undefined;
  const max = input.maxDigests ?? 200;
  do {
    const page = await withCredentialRetry(clients, target, 's3:ListBucket', () =>
      s3.send(
        new ListObjectsV2Command({
          Bucket: input.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : input.position ? { StartAfter: input.position } : {}),
        }),
      ),
    );
    for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token && keys.length < max);

  const digests = keys
    .slice(0, max)
    .map((key) => ({ key, parts: parseDigestKey(key) }))
    .filter((d): d is { key: string; parts: NonNullable<ReturnType<typeof parseDigestKey>> } => d.parts !== null && !d.parts.backfill)
    .sort((a, b) => a.parts.endTime.getTime() - b.parts.endTime.getTime() || (a.key < b.key ? -1 : 1));
  const run: IntegrityRun = {
    issues: [],
    chains: { ...input.chains },
    position: keys.slice(0, max).at(-1) ?? input.position,
    digestsValidated: 0,
    logFilesValidated: 0,
  };
  if (digests.length === 0) return run;

  const first = digests[0]!.parts.endTime.getTime();
  const last = digests[digests.length - 1]!.parts.endTime.getTime();
  const listed = await withCredentialRetry(clients, target, 'cloudtrail:ListPublicKeys', () =>
    clients
      .cloudTrail(target, input.region)
      .send(new ListPublicKeysCommand({ StartTime: new Date(first - 3600_000), EndTime: new Date(last + 3600_000) })),
  );
  const publicKeys: DigestPublicKey[] = (listed.PublicKeyList ?? []).flatMap((k) =>
    k.Value && k.Fingerprint
      ? [
          {
            fingerprint: k.Fingerprint,
            der: Buffer.from(k.Value),
            ...(k.ValidityStartTime ? { validFrom: k.ValidityStartTime } : {}),
            ...(k.ValidityEndTime ? { validTo: k.ValidityEndTime } : {}),
          },
        ]
      : [],
  );

  for (const { key, parts } of digests) {
    const chainKey = `${parts.trailName}|${input.region}`;
    const issue = (kind: IntegrityIssueKind, detail: string, object?: string) =>
      run.issues.push({ kind, region: input.region, trailName: parts.trailName, digestKey: key, detail, ...(object ? { object } : {}) });
    const fetched = await readObject(input.bucket, key);
    if (!fetched) continue; // deleted between listing and reading: the next digest's link reports it
    const digest = parseDigestFile(fetched.bytes);
    const signature = fetched.metadata['signature'];
    const check = digest
      ? verifyDigestSignature({
          digest,
          bucket: input.bucket,
          key,
          uncompressed: fetched.bytes,
          signatureHex: signature,
          signatureAlgorithm: fetched.metadata['signature-algorithm'],
          publicKeys,
        })
      : ({ ok: false, reason: 'bad_signature' } as const);
    run.digestsValidated++;
    const previous = run.chains[chainKey];
    if (digest) {
      // The chain: this digest must name the last one we validated and carry its signature.
      if (previous && digest.previousDigestS3Object !== previous.lastKey) {
        issue(
          'digest_missing',
          `the digest names ${digest.previousDigestS3Object ?? 'no previous digest'} as its predecessor; the last digest validated was ${previous.lastKey}`,
          digest.previousDigestS3Object ?? undefined,
        );
      } else if (previous && digest.previousDigestSignature !== previous.lastSignature) {
        issue('digest_missing', `previousDigestSignature does not match the signature of ${previous.lastKey}`, previous.lastKey);
      } else if (!previous && digest.previousDigestS3Object && digest.previousDigestS3Bucket) {
        const before = await readObject(digest.previousDigestS3Bucket, digest.previousDigestS3Object);
        if (!before)
          issue(
            'digest_missing',
            `the previous digest ${digest.previousDigestS3Object} is not in the bucket`,
            digest.previousDigestS3Object,
          );
      }
    }
    if (!digest || !check.ok) {
      issue(
        'digest_invalid',
        digest ? `signature check failed: ${check.ok ? '' : check.reason}` : 'the digest file is not a CloudTrail digest',
      );
    } else {
      for (const entry of digest.logFiles) {
        const log = await readObject(entry.s3Bucket, entry.s3Object);
        const result = checkLogFile(entry, log ? log.bytes : null);
        run.logFilesValidated++;
        if (result === 'deleted') issue('log_file_deleted', `listed in the digest, absent from s3://${entry.s3Bucket}`, entry.s3Object);
        else if (result === 'modified')
          issue('log_file_modified', 'SHA-256 of the uncompressed file differs from the digest', entry.s3Object);
      }
    }
    run.chains[chainKey] = {
      lastKey: key,
      lastSignature: signature ?? '',
      lastEndTime: digest?.digestEndTime ?? parts.endTime.toISOString(),
    };
  }
  return run;
}
