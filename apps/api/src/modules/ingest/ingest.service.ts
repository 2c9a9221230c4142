import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { classifyRecord, isGzipMagic, readBuffer, type CloudTrailRecord } from '@trailguard/cloudtrail';
import { AwsAccountsRepository, Database, IngestCheckpointsRepository, isUuid, type TenantId } from '@trailguard/db';
import { enqueueDetectBatches, JobQueue } from '@trailguard/queues';
import { hashSecret } from '../../common/auth';
import { jsonTextTooDeep } from '../../common/json-depth';
import { DomainError, notFound } from '../../common/domain-error';
import { RUNTIME, type Runtime } from '../../common/runtime';
import { MAX_LISTED_ERRORS, type IngestError, type IngestResult } from './ingest.dto';
import { countIngested, countRefused } from './ingest-metrics';

const gunzipAsync = promisify(gunzip);
const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const unauthorized = () => new DomainError('unauthorized', 'unknown account or invalid ingest token');

/** CloudTrail does not log the future: an eventTime further ahead than this is refused. */
const FUTURE_SKEW_MS = 24 * 3600_000;

class Collector {
  readonly records: CloudTrailRecord[] = [];
  readonly errors: IngestError[] = [];
  rejected = 0;
  private readonly oldest: number;
  private readonly newest: number;

  constructor(dedupWindowHours: number, now = Date.now()) {
    this.oldest = now - dedupWindowHours * 3600_000;
    this.newest = now + FUTURE_SKEW_MS;
  }

  reject(e: IngestError): void {
    this.rejected++;
    if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push(e);
  }

  /** Records without an eventID cannot be de-duplicated across paths: they are refused. */
  accept(record: CloudTrailRecord, position: Omit<IngestError, 'code' | 'message'>): void {
    if (typeof record.eventID !== 'string' || record.eventID.length === 0) {
      this.reject({ ...position, code: 'missing_event_id', message: 'the record has no eventID' });
      return;
    }
    // Outside the de-duplication window an event cannot be told from one already counted: refused,
    // so a late replay never creates a second finding or doubles a count (DEDUP_WINDOW_HOURS).
    const t = typeof record.eventTime === 'string' ? Date.parse(record.eventTime) : NaN;
    if (t < this.oldest) {
      countRefused('too_old', 1);
      this.reject({
        ...position,
        code: 'event_too_old',
        message: `eventTime ${record.eventTime as string} is older than the de-duplication window`,
      });
      return;
    }
    if (t > this.newest) {
      countRefused('in_future', 1);
      this.reject({
        ...position,
        code: 'event_time_in_future',
        message: `eventTime ${record.eventTime as string} is more than a day ahead of the clock`,
      });
      return;
    }
    this.records.push(record);
  }
}

@Injectable()
export class IngestService {
  private readonly accounts = new AwsAccountsRepository();
  private readonly checkpoints = new IngestCheckpointsRepository();

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  /** An upload: log-file JSON, NDJSON, or gzip of either, read once from its bytes. */
  async upload(
    tenantId: TenantId,
    accountId: string,
    body: Buffer,
    declaredGzip = false,
    declaredNdjson = false,
    declaredJson = false,
  ): Promise<IngestResult> {
    const account = await this.db.forTenant(tenantId, (scope) => this.accounts.get(scope, accountId));
    if (!account) throw notFound('aws account', accountId);
    if (account.status === 'disabled') throw new DomainError('account_disabled', 'the account is disabled');
    const bytes = await this.unpack(body, declaredGzip);
    if (declaredJson) {
      // What the JSON body parser refused before uploads were read from bytes: not an object or array, too deep.
      const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf);
      if (first !== 0x7b && first !== 0x5b) throw new DomainError('invalid_json', 'request body is not a JSON object or array');
      if (jsonTextTooDeep(bytes)) throw new DomainError('json_too_deep', 'request body nests too deeply');
    }
    // One budget for every inflated byte: what unpack() inflated plus any gzip nested inside it.
    const inflated = isGzipMagic(body) ? bytes.length : 0;
    const maxInflatedBytes = Math.max(0, this.maxInflatedBytes() - inflated);
    const collected = new Collector(this.runtime.config.DEDUP_WINDOW_HOURS);
    // A CloudTrailReadError (corrupt gzip, inflated past the budget) goes to the exception filter.
    for await (const batch of readBuffer(bytes, { name: 'upload', maxInflatedBytes, ...(declaredNdjson ? { ndjson: true } : {}) })) {
      for (const m of batch.malformed) {
        collected.reject({ position: m.line ?? m.pointer ?? 0, line: m.line, pointer: m.pointer, code: m.code, message: m.message });
      }
      batch.records.forEach((record, i) => {
        const p = batch.positions[i] ?? {};
        collected.accept(record, { position: p.line ?? p.pointer ?? i, line: p.line, pointer: p.pointer });
      });
    }
    // A body declared as one JSON document that is not JSON at all is a bad request, not a bad record.
    if (declaredJson && collected.records.length === 0 && collected.rejected === 1 && collected.errors[0]?.code === 'invalid_json') {
      throw new DomainError('invalid_json', 'request body is not valid JSON');
    }
    const digest = createHash('sha256').update(bytes).digest('base64url');
    return this.enqueue(tenantId, accountId, 'upload', collected, `${accountId}:${digest}`);
  }

  /** EventBridge API destination: one event or an array, authenticated by the account's ingest token. */
  async eventBridge(accountId: string, token: string | undefined, body: unknown, isJson = true): Promise<IngestResult> {
    const auth = isUuid(accountId) ? await this.accounts.ingestAuth(this.db, accountId.toLowerCase()) : null;
    // Compare hashes in constant time; an unknown account costs the same and answers the same.
    const expected = Buffer.from(auth?.ingestTokenHash ?? hashSecret('no account'), 'hex');
    const given = Buffer.from(hashSecret(token ?? ''), 'hex');
    const valid = timingSafeEqual(expected, given) && auth?.ingestTokenHash != null && token !== undefined;
    if (!auth || !valid) throw unauthorized();
    if (auth.status === 'disabled') throw new DomainError('account_disabled', 'the account is disabled');
    // Checked after authentication, so an unauthenticated caller learns nothing at all.
    if (!isJson) throw new DomainError('unsupported_media_type', 'send the events as application/json');

    const events = Array.isArray(body) ? body : [body];
    const collected = new Collector(this.runtime.config.DEDUP_WINDOW_HOURS);
    events.forEach((event, position) => {
      if (!isObject(event)) return collected.reject({ position, code: 'not_an_event', message: 'expected an EventBridge event object' });
      const detailType = event['detail-type'];
      if (detailType !== CLOUDTRAIL_API_CALL) {
        return collected.reject({
          position,
          code: 'unsupported_detail_type',
          message: `detail-type ${JSON.stringify(detailType ?? null)} is not "${CLOUDTRAIL_API_CALL}"`,
        });
      }
      const detail = event.detail;
      if (!isObject(detail)) return collected.reject({ position, code: 'missing_detail', message: 'the event has no detail object' });
      // The checks the readers apply to uploaded records (a CloudTrail record, not nested too deep).
      const checked = classifyRecord(detail);
      if (!checked.ok) return collected.reject({ position, code: checked.code, message: checked.message });
      collected.accept(checked.record, { position });
    });
    const ids = collected.records.map((r) => r.eventID).sort();
    const digest = createHash('sha256').update(ids.join('\n')).digest('base64url');
    return this.enqueue(auth.tenantId, accountId.toLowerCase(), 'eventbridge', collected, `${accountId.toLowerCase()}:${digest}`);
  }

  /** Inflated bytes one upload may produce, over every layer of gzip. */
  private maxInflatedBytes(): number {
    return this.runtime.config.MAX_BODY_BYTES * 10;
  }

  private async unpack(body: Buffer, declaredGzip: boolean): Promise<Buffer> {
    if (!Buffer.isBuffer(body) || body.length === 0) throw new DomainError('empty_body', 'the request body is empty');
    if (!isGzipMagic(body)) {
      if (declaredGzip) throw new DomainError('corrupt_gzip', 'the body is declared gzip but is not');
      return body;
    }
    try {
      return await gunzipAsync(body, { maxOutputLength: this.maxInflatedBytes() });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new DomainError('payload_too_large', 'the decompressed body is larger than the limit');
      }
      throw new DomainError('corrupt_gzip', `the body is not valid gzip: ${(err as Error).message}`);
    }
  }

  private async enqueue(
    tenantId: TenantId,
    accountId: string,
    source: 'upload' | 'eventbridge',
    collected: Collector,
    batchKey: string,
  ): Promise<IngestResult> {
    const { batches } = await enqueueDetectBatches(this.queue, { tenantId, accountId, source, records: collected.records, batchKey });
    const now = new Date();
    await this.db.forTenant(tenantId, (scope) =>
      this.checkpoints.record(
        scope,
        { accountId, region: 'all', source },
        {
          lastPollAt: now,
          ...(collected.records.length > 0 ? { lastSuccessAt: now, lastEventTime: newestEventTime(collected.records) } : {}),
          eventsAdded: collected.records.length,
        },
      ),
    );
    countIngested(source, collected.records.length);
    return {
      accepted: collected.records.length,
      rejected: collected.rejected,
      errors: collected.errors,
      ...(collected.rejected > collected.errors.length ? { errorsTruncated: true } : {}),
      batches,
    };
  }
}

function newestEventTime(records: CloudTrailRecord[]): Date | null {
  let newest = NaN;
  for (const r of records) {
    const t = typeof r.eventTime === 'string' ? Date.parse(r.eventTime) : NaN;
    if (!Number.isNaN(t) && !(t <= newest)) newest = t;
  }
  return Number.isNaN(newest) ? null : new Date(newest);
}
