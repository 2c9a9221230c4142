import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  AwsAccountsRepository,
  Database,
  IngestCheckpointsRepository,
  type AccountRef,
  type AwsAccount,
  type IngestCheckpoint,
} from '@trailguard/db';
import { JobQueue, type JobOf } from '@trailguard/queues';
import { ingestMetrics } from '../ingest/ingest-metrics';
import type { JobHandler } from '../job-handler';
import { WORKER_RUNTIME, type WorkerRuntime } from '../worker-runtime';

type RegionJob = { data: JobOf<'ingest.poll'>; options: { jobId: string } };

/**
 * Every tick: for each active account, queue the polls and S3 reads that are due (last run older
 * than POLL_INTERVAL_SECONDS) and the posture check (POSTURE_INTERVAL_SECONDS). Job ids carry the
 * interval bucket, so ticks of several workers in one interval collapse into one job.
 */
@Injectable()
export class IngestScheduleProcessor implements JobHandler<'ingest.schedule'> {
  readonly jobName = 'ingest.schedule' as const;
  readonly repeatEveryMs: number;
  private readonly logger = new Logger('IngestSchedule');
  private readonly accounts = new AwsAccountsRepository();
  private readonly checkpoints = new IngestCheckpointsRepository();
  private readonly pollMs: number;
  private readonly postureMs: number;

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    @Inject(WORKER_RUNTIME) runtime: WorkerRuntime,
  ) {
    this.pollMs = runtime.config.POLL_INTERVAL_SECONDS * 1000;
    this.postureMs = runtime.config.POSTURE_INTERVAL_SECONDS * 1000;
    // Fine enough that a poll is late by a fraction of its interval, never busier than 1/s.
    this.repeatEveryMs = Math.min(5000, Math.max(1000, Math.floor(this.pollMs / 2)));
  }

  async handle(): Promise<void> {
    const now = Date.now();
    const refs = await this.accounts.activeAccounts(this.db);
    const polls: RegionJob[] = [];
    const reads: RegionJob[] = [];
    const postures: Array<{ data: JobOf<'ingest.posture'>; options: { jobId: string } }> = [];
    const lagByRegion = new Map<string, number>();
    for (const ref of refs) {
      try {
        const state = await this.db.forTenant(ref.tenantId, async (scope) => {
          const account = await this.accounts.get(scope, ref.id);
          return account ? { account, checkpoints: await this.checkpoints.listForAccount(scope, ref.id) } : null;
        });
        if (!state || state.account.status !== 'active') continue;
        this.plan(ref, state.account, state.checkpoints, now, { polls, reads, postures, lagByRegion });
      } catch (err) {
        // One account's trouble must not stop the others from being scheduled.
        this.logger.warn({ accountId: ref.id, err: (err as Error).message }, 'could not schedule account');
      }
    }
    if (polls.length) await this.queue.addBulk('ingest.poll', polls);
    if (reads.length) await this.queue.addBulk('ingest.s3', reads);
    if (postures.length) await this.queue.addBulk('ingest.posture', postures);
    for (const [region, lag] of lagByRegion) ingestMetrics.lag(region, lag);
  }

  private plan(
    ref: AccountRef,
    account: AwsAccount,
    checkpoints: IngestCheckpoint[],
    now: number,
    out: {
      polls: RegionJob[];
      reads: RegionJob[];
      postures: Array<{ data: JobOf<'ingest.posture'>; options: { jobId: string } }>;
      lagByRegion: Map<string, number>;
    },
  ): void {
    const bucket = Math.floor(now / this.pollMs);
    const find = (region: string, source: 'polling' | 's3') => checkpoints.find((c) => c.region === region && c.source === source);
    const due = (c: IngestCheckpoint | undefined) => !c?.lastPollAt || now - c.lastPollAt.getTime() >= this.pollMs;
    for (const region of account.regions) {
      const data = { tenantId: ref.tenantId, accountId: account.id, region };
      if (account.pollingEnabled) {
        const cp = find(region, 'polling');
        if (due(cp)) out.polls.push({ data, options: { jobId: `poll:${account.id}:${region}-${bucket}` } });
        const lag = Math.max(0, (now - (cp?.lastSuccessAt?.getTime() ?? account.verifiedAt?.getTime() ?? now)) / 1000);
        out.lagByRegion.set(region, Math.max(out.lagByRegion.get(region) ?? 0, lag));
      }
      if (account.s3Bucket && due(find(region, 's3'))) {
        out.reads.push({ data, options: { jobId: `s3:${account.id}:${region}-${bucket}` } });
      }
    }
    if (!account.postureAt || now - account.postureAt.getTime() >= this.postureMs) {
      out.postures.push({
        data: { tenantId: ref.tenantId, accountId: account.id },
        options: { jobId: `posture:${account.id}:${Math.floor(now / this.postureMs)}` },
      });
    }
  }
}
