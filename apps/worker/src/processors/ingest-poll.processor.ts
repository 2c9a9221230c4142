import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { toAwsIngestError, type AwsIngestError } from '@trailguard/aws';
import { AwsAccountsRepository, Database, IngestCheckpointsRepository, asTenantId, type CheckpointKey } from '@trailguard/db';
import { enqueueDetectBatches, JobQueue, type JobOf } from '@trailguard/queues';
import { AwsIngestClients, POLL_OVERLAP_MS } from '../ingest/aws-ingest-clients';
import { markAccountError, recordRunError } from '../ingest/account-health';
import { tryLock } from '../ingest/ingest-lock';
import { ingestMetrics } from '../ingest/ingest-metrics';
import { SeenEvents } from '../ingest/seen-events';
import type { JobHandler } from '../job-handler';

const LOCK_TTL_MS = 60_000;

/** Deterministic per content: a page re-read after a crash maps to the same batch (and job id). */
export function pageBatchKey(accountId: string, region: string, records: Array<{ eventID?: unknown }>): string {
  const digest = createHash('sha256');
  for (const r of records) digest.update(`${String(r.eventID)}\n`);
  return `poll:${accountId}:${region}:${digest.digest('base64url')}`;
}

/**
 * LookupEvents of one account-region: from the checkpoint minus the overlap window to now, each
 * page queued for detection as it arrives; the checkpoint moves only after every page is queued.
 */
@Injectable()
export class IngestPollProcessor implements JobHandler<'ingest.poll'> {
  readonly jobName = 'ingest.poll' as const;
  private readonly logger = new Logger('IngestPoll');
  private readonly accounts = new AwsAccountsRepository();
  private readonly checkpoints = new IngestCheckpointsRepository();
  private readonly seen: SeenEvents;

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly aws: AwsIngestClients,
  ) {
    this.seen = new SeenEvents(aws.redis, POLL_OVERLAP_MS * 2);
  }

  handle(data: JobOf<'ingest.poll'>): Promise<void> {
    return this.aws.run(() => this.ingest(data));
  }

  private async ingest(data: JobOf<'ingest.poll'>): Promise<void> {
    const tenantId = asTenantId(data.tenantId);
    const { accountId, region } = data;
    const account = await this.db.forTenant(tenantId, (scope) => this.accounts.get(scope, accountId));
    const target = account ? this.aws.target(account) : null;
    // The account was disabled, re-scoped or deleted since the job was queued: nothing to do.
    if (!account || !target || account.status !== 'active' || !account.pollingEnabled || !account.regions.includes(region)) return;

    const lock = await tryLock(this.aws.redis, tenantId, `poll:${accountId}:${region}`, LOCK_TTL_MS);
    // Another run of this account-region is under way and will cover what this one would read.
    if (!lock) return;
    const key: CheckpointKey = { accountId, region, source: 'polling' };
    try {
      const startedAt = new Date();
      const checkpoint = await this.db.forTenant(tenantId, (scope) => this.checkpoints.record(scope, key, { lastPollAt: startedAt }));
      const from = checkpoint.lastEventTime;
      let newest = from;
      let queued = 0;
      for await (const page of this.aws.pager.pages({ ...target, region }, from, startedAt)) {
        if (this.aws.stopping.aborted) throw new Error('worker shutting down');
        const fresh = await this.seen.unseen(accountId, region, page.records);
        if (fresh.length > 0) {
          await enqueueDetectBatches(this.queue, {
            tenantId,
            accountId,
            source: 'polling',
            records: fresh,
            batchKey: pageBatchKey(accountId, region, fresh),
          });
          await this.seen.mark(accountId, region, fresh);
          queued += fresh.length;
          ingestMetrics.ingested('polling', fresh.length);
        }
        if (page.maxEventTime && (!newest || page.maxEventTime > newest)) newest = page.maxEventTime;
        await lock.extend();
      }
      await this.db.forTenant(tenantId, (scope) =>
        this.checkpoints.record(scope, key, { lastEventTime: newest, lastSuccessAt: startedAt, lastError: null, eventsAdded: queued }),
      );
      if (newest) await this.seen.trim(accountId, region, new Date(newest.getTime() - POLL_OVERLAP_MS));
    } catch (err) {
      await this.fail(tenantId, key, err);
    } finally {
      await lock.release();
    }
  }

  /** Records the failure on the checkpoint, then decides: retry with backoff, or stop (denied). */
  private async fail(tenantId: ReturnType<typeof asTenantId>, key: CheckpointKey, err: unknown): Promise<never> {
    const e: AwsIngestError = toAwsIngestError(err, 'cloudtrail:LookupEvents');
    ingestMetrics.error(e.code);
    await recordRunError(this.db, tenantId, key, `${e.code}: ${e.message}`);
    if (e.code === 'access_denied') {
      await markAccountError(this.db, tenantId, key.accountId, `polling ${key.region} was denied: ${e.message}`);
      throw new UnrecoverableError(e.message);
    }
    this.logger.warn({ accountId: key.accountId, region: key.region, code: e.code, err: e.message }, 'poll failed; retrying with backoff');
    throw e;
  }
}
