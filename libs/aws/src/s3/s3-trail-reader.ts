import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { CloudTrailRecord } from '@trailguard/cloudtrail';
import type { CustomerAwsClients } from '../clients/customer-aws-clients';
import { withCredentialRetry } from '../clients/with-credential-retry';
import type { AssumeRoleTarget } from '../credentials/assumed-credentials-cache';

export interface TrailLogLocation {
  bucket: string;
  /** The trail's S3KeyPrefix, if any. */
  keyPrefix?: string | null;
  /** Set for organization trails (AWSLogs/<orgId>/<accountId>/...). */
  organizationId?: string | null;
  accountId: string;
  region: string;
}

export interface TrailLogFile {
  key: string;
  records: CloudTrailRecord[];
}

export interface MalformedLogFile {
  key: string;
  reason: string;
}

export interface S3TrailReadResult {
  files: TrailLogFile[];
  malformed: MalformedLogFile[];
  /** The last key handled (read or skipped as malformed): the StartAfter of the next run. */
  position: string | null;
  /** More files were listed than maxFiles allowed; call again from `position`. */
  hasMore: boolean;
}

export interface S3TrailReaderOptions {
  /** Most files read per call. Default 100. */
  maxFiles?: number;
  /** Largest uncompressed log file accepted. Default 256 MiB. */
  maxFileBytes?: number;
}

export function trailLogPrefix(location: TrailLogLocation): string {
  const base = location.keyPrefix ? `${location.keyPrefix.replace(/\/+$/, '')}/AWSLogs/` : 'AWSLogs/';
  const org = location.organizationId ? `${location.organizationId}/` : '';
  return `${base}${org}${location.accountId}/CloudTrail/${location.region}/`;
}

class MalformedFile extends Error {}

async function gunzipJson(body: Readable, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  const gunzip = createGunzip();
  body.on('error', (err) => gunzip.destroy(err));
  body.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        body.destroy();
        throw new MalformedFile(`larger than ${maxBytes} bytes uncompressed`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof MalformedFile) throw err;
    // zlib reports corrupt input with Z_* codes; anything else is the transport failing.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) throw new MalformedFile(`not gzip: ${(err as Error).message}`);
    throw err;
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    throw new MalformedFile(`invalid JSON: ${(err as Error).message}`);
  }
}

function recordsOf(document: unknown): CloudTrailRecord[] {
  const records = (document as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) throw new MalformedFile('no "Records" array');
  const bad = records.findIndex((r) => r === null || typeof r !== 'object' || Array.isArray(r));
  if (bad >= 0) throw new MalformedFile(`Records[${bad}] is not an object`);
  return records as CloudTrailRecord[];
}

/**
 * Reads CloudTrail log files of one account-region from the trail bucket, after a stored key.
 * Keys sort by delivery time, so StartAfter the last handled key is an incremental cursor.
 */
const LOG_KEY = /^(.*\/)(\d+)_CloudTrail_([\w-]+)_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/;

/** A listing position `ms` earlier than a CloudTrail log key (its folder and file-name stamp moved back). */
export function rewindLogKey(key: string, ms: number): string {
  const m = LOG_KEY.exec(key);
  if (!m) return key;
  const [, dir, account, region, y, mo, d, h, mi] = m as unknown as string[];
  const t = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)) - ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const day = `${t.getUTCFullYear()}/${p(t.getUTCMonth() + 1)}/${p(t.getUTCDate())}`;
  const stamp = `${t.getUTCFullYear()}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}T${p(t.getUTCHours())}${p(t.getUTCMinutes())}Z`;
  const base = dir!.replace(/\d{4}\/\d{2}\/\d{2}\/$/, '');
  return `${base}${day}/${account}_CloudTrail_${region}_${stamp}`;
}

export class S3TrailReader {
  private readonly maxFiles: number;
  private readonly maxFileBytes: number;

  constructor(
    private readonly clients: CustomerAwsClients,
    options: S3TrailReaderOptions = {},
  ) {
    this.maxFiles = options.maxFiles ?? 100;
    this.maxFileBytes = options.maxFileBytes ?? 256 * 1024 * 1024;
  }

  /**
   * Reads the log files after `position`. CloudTrail names files by minute plus a random suffix,
   * so a file delivered late can sort before the last key read: with `lookbackMs`, listing starts
   * that much earlier, and `alreadyRead` (the caller's memory of read keys) skips what was read.
   */
  async readSince(
    target: AssumeRoleTarget,
    location: TrailLogLocation,
    position: string | null,
    options: { lookbackMs?: number; alreadyRead?: (keys: string[]) => Promise<Set<string>> } = {},
  ): Promise<S3TrailReadResult> {
    const result: S3TrailReadResult = { files: [], malformed: [], position, hasMore: false };
    const startAfter = position && options.lookbackMs ? rewindLogKey(position, options.lookbackMs) : position;
    const listed = await this.listKeys(target, location, startAfter, this.maxFiles + 1 + (startAfter !== position ? 1000 : 0));
    const skip = options.alreadyRead ? await options.alreadyRead(listed) : new Set<string>();
    const keys = listed.filter((k) => !skip.has(k) && k !== position);
    result.hasMore = keys.length > this.maxFiles;
    for (const key of keys.slice(0, this.maxFiles)) {
      const read = await this.readFile(target, location, key);
      if ('reason' in read) result.malformed.push(read);
      else result.files.push(read);
      if (!result.position || key > result.position) result.position = key;
    }
    return result;
  }

  private async listKeys(target: AssumeRoleTarget, location: TrailLogLocation, position: string | null, limit: number): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await withCredentialRetry(this.clients, target, 's3:ListBucket', () =>
        this.clients.s3(target, location.region).send(
          new ListObjectsV2Command({
            Bucket: location.bucket,
            Prefix: trailLogPrefix(location),
            ...(position && !token ? { StartAfter: position } : {}),
            ...(token ? { ContinuationToken: token } : {}),
            MaxKeys: Math.min(1000, limit - keys.length),
          }),
        ),
      );
      for (const o of out.Contents ?? []) if (o.Key && !o.Key.endsWith('/')) keys.push(o.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token && keys.length < limit);
    return keys.slice(0, limit);
  }

  private async readFile(target: AssumeRoleTarget, location: TrailLogLocation, key: string): Promise<TrailLogFile | MalformedLogFile> {
    let body: Readable | undefined;
    try {
      const out = await withCredentialRetry(this.clients, target, 's3:GetObject', () =>
        this.clients.s3(target, location.region).send(new GetObjectCommand({ Bucket: location.bucket, Key: key })),
      );
      body = out.Body as Readable | undefined;
    } catch (err) {
      if ((err as { code?: string }).code === 'not_found') return { key, reason: 'deleted before it could be read' };
      throw err;
    }
    if (!body) return { key, reason: 'empty body' };
    try {
      return { key, records: recordsOf(await gunzipJson(body, this.maxFileBytes)) };
    } catch (err) {
      // A bad file is skipped so it cannot block the files after it; transport errors still propagate.
      if (err instanceof MalformedFile) return { key, reason: err.message };
      throw err;
    }
  }
}
