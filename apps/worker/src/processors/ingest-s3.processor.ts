import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { toAwsIngestError } from '@trailguard/aws';
import {
  AwsAccountsRepository,
  Database,
  IngestCheckpointsRepository,
  asTenantId,
  type CheckpointKey,
  type TenantId,
} from '@trailguard/db';
import { enqueueDetectBatches, JobQueue, type JobOf } from '@trailguard/queues';
import { AwsIngestClients } from '../ingest/aws-ingest-clients';
import { markAccountError, recordRunError } from '../ingest/account-health';
import { tryLock } from '../ingest/ingest-lock';
import { ingestMetrics } from '../ingest/ingest-metrics';
import { ReadLogKeys } from '../ingest/read-log-keys';
import type { JobHandler } from '../job-handler';

/** CloudTrail delivers a file within minutes of its name's time; later ones are looked for this far back. */
const S3_LOOKBACK_MS = 15 * 60 * 1000;

/**
 * New CloudTrail log files of one account-region, after the last key read (keys sort by delivery
 * time). Each file is one batch keyed by its object key; a malformed file is recorded and skipped.
 */
@Injectable()
export class IngestS3Processor implements JobHandler<'ingest.s3'> {
  readonly jobName = 'ingest.s3' as const;
  private readonly accounts = new AwsAccountsRepository();
  private readonly checkpoints = new IngestCheckpointsRepository();
  private readonly readKeys: ReadLogKeys;

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly aws: AwsIngestClients,
  ) {
    this.readKeys = new ReadLogKeys(aws.redis, 4 * S3_LOOKBACK_MS);
  }

  handle(data: JobOf<'ingest.s3'>): Promise<void> {
    return this.aws.run(() => this.ingest(data));
  }

  private async ingest(data: JobOf<'ingest.s3'>): Promise<void> {
    const tenantId = asTenantId(data.tenantId);
    const { accountId, region } = data;
    const account = await this.db.forTenant(tenantId, (scope) => this.accounts.get(scope, accountId));
    const target = account ? this.aws.target(account) : null;
    if (!account || !target || account.status !== 'active' || !account.s3Bucket || !account.awsAccountId) return;
    if (!account.regions.includes(region)) return;

    const lock = await tryLock(this.aws.redis, tenantId, `s3:${accountId}:${region}`, 120_000);
    // Another run of this account-region is under way and will cover what this one would read.
    if (!lock) return;
    const key: CheckpointKey = { accountId, region, source: 's3' };
    try {
      const startedAt = new Date();
      const checkpoint = await this.db.forTenant(tenantId, (scope) => this.checkpoints.record(scope, key, { lastPollAt: startedAt }));
      const result = await this.aws.s3Reader.readSince(
        target,
        { bucket: account.s3Bucket, keyPrefix: account.s3Prefix, accountId: account.awsAccountId, region },
        checkpoint.lastKey,
        { lookbackMs: S3_LOOKBACK_MS, alreadyRead: (keys) => this.readKeys.filter(accountId, region, keys) },
      );
      let queued = 0;
      for (const file of result.files) {
        if (file.records.length > 0) {
          await enqueueDetectBatches(this.queue, { tenantId, accountId, source: 's3', records: file.records, batchKey: file.key });
          queued += file.records.length;
        }
        await this.readKeys.mark(accountId, region, file.key);
      }
      for (const bad of result.malformed) await this.readKeys.mark(accountId, region, bad.key);
      ingestMetrics.ingested('s3', queued);
      const bad = result.malformed[result.malformed.length - 1];
      if (bad) ingestMetrics.error('malformed_log_file');
      await this.db.forTenant(tenantId, (scope) =>
        this.checkpoints.record(scope, key, {
          lastKey: result.position,
          lastSuccessAt: startedAt,
          // A run that read nothing new leaves the last report standing.
          lastError: bad ? `malformed log file ${bad.key}: ${bad.reason}` : result.files.length > 0 ? null : undefined,
          eventsAdded: queued,
        }),
      );
      if (result.hasMore && result.position) await this.continueFrom(tenantId, accountId, region, result.position);
    } catch (err) {
      const e = toAwsIngestError(err, 's3:GetObject');
      ingestMetrics.error(e.code);
      await recordRunError(this.db, tenantId, key, `${e.code}: ${e.message}`);
      if (e.code === 'access_denied' || e.code === 'not_found') {
        if (e.code === 'access_denied')
          await markAccountError(this.db, tenantId, accountId, `reading s3://${account.s3Bucket} was denied: ${e.message}`);
        throw new UnrecoverableError(e.message);
      }
      throw e;
    } finally {
      await lock.release();
    }
  }

  /** More files than one run reads: the next run starts right away rather than at the next tick. */
  private async continueFrom(tenantId: TenantId, accountId: string, region: string, position: string): Promise<void> {
    const at = createHash('sha256').update(position).digest('base64url').slice(0, 16);
    await this.queue.add('ingest.s3', { tenantId, accountId, region }, { jobId: `s3:${accountId}:${region}-more-${at}` });
  }
}
