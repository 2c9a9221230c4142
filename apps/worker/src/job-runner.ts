import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import {
  backoffStrategy,
  isCluster,
  JOB_OPTIONS,
  JobQueue,
  QUEUE_NAMES,
  QUEUE_OF,
  queueNamesOf,
  queuePrefix,
  redisConnection,
  type JobName,
  type QueueName,
} from '@trailguard/queues';
import { JOB_HANDLERS, type JobHandler } from './job-handler';
import { WORKER_RUNTIME, type WorkerRuntime } from './worker-runtime';

/** How many jobs of each queue group one process works on at once (split over a group's shards). */
const CONCURRENCY: Record<QueueName, number> = { detect: 2, ingest: 4, webhooks: 16 };

/** Per shard: the group's share, at least one (every process serves every shard). */
export function shardConcurrency(group: QueueName, shards: number): number {
  return Math.max(1, Math.round(CONCURRENCY[group] / Math.max(1, shards)));
}

/**
 * Runs every queue's BullMQ worker and dispatches each job to its handler by name. A handler
 * that throws lets BullMQ retry with backoff; jobs of a process that dies are picked up again
 * after the lock expires (stalled-job recovery), so nothing is lost.
 */
@Injectable()
export class JobRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger('JobRunner');
  private readonly handlers = new Map<JobName, JobHandler>();
  private workers: Worker[] = [];
  private connection: ReturnType<typeof redisConnection> | undefined;

  constructor(
    @Inject(JOB_HANDLERS) handlers: JobHandler[],
    @Inject(WORKER_RUNTIME) private readonly runtime: WorkerRuntime,
  ) {
    for (const h of handlers) {
      if (this.handlers.has(h.jobName)) throw new Error(`two handlers for job ${h.jobName}`);
      this.handlers.set(h.jobName, h);
    }
    const missing = (Object.keys(QUEUE_OF) as JobName[]).filter((name) => !this.handlers.has(name));
    if (missing.length > 0) throw new Error(`no handler for job(s): ${missing.join(', ')}`);
  }

  async start(queue: JobQueue): Promise<void> {
    for (const handler of this.handlers.values()) {
      if (handler.repeatEveryMs === undefined) continue;
      // The scheduler id is the job name: every process upserts the same one, so a process that
      // joins adds no second schedule.
      await queue
        .queue(QUEUE_OF[handler.jobName])
        .upsertJobScheduler(
          handler.jobName,
          { every: handler.repeatEveryMs },
          { name: handler.jobName, data: {}, opts: JOB_OPTIONS[handler.jobName] },
        );
    }
    const connection = (this.connection = redisConnection(this.runtime.redisUrl));
    const shards = queue.topology.detectShards;
    this.workers = QUEUE_NAMES.flatMap((group) =>
      queueNamesOf(group, shards).map(
        (name) =>
          new Worker(name, (job: Job, token?: string) => this.dispatch(job, token), {
            connection,
            prefix: queuePrefix(name),
            concurrency: shardConcurrency(group, queueNamesOf(group, shards).length),
            lockDuration: this.runtime.config.WORKER_LOCK_SECONDS * 1000,
            stalledInterval: this.runtime.config.WORKER_LOCK_SECONDS * 1000,
            maxStalledCount: 5,
            settings: { backoffStrategy },
          }),
      ),
    );
    for (const w of this.workers) {
      w.on('failed', (job, err) =>
        this.logger.warn({ job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed'),
      );
      w.on('error', (err) => this.logger.error({ err: err.message }, 'worker error'));
    }
  }

  /** For the worker's health endpoint: every queue's worker running and connected to Redis. */
  async health(): Promise<{ ok: boolean; queues: Record<string, boolean> }> {
    const connected = async (w: Worker): Promise<boolean> => {
      if (!w.isRunning()) return false;
      const timeout = new Promise<null>((r) => setTimeout(() => r(null), 1000).unref());
      const client = await Promise.race([w.client, timeout]).catch(() => null);
      return client?.status === 'ready';
    };
    const states = await Promise.all(this.workers.map(async (w) => [w.name, await connected(w)] as const));
    return { ok: states.length > 0 && states.every(([, up]) => up), queues: Object.fromEntries(states) };
  }

  private async dispatch(job: Job, token: string | undefined): Promise<void> {
    const handler = this.handlers.get(job.name as JobName);
    if (!handler) throw new Error(`no handler for job ${job.name}`);
    await handler.handle(job.data as never, job as never, token);
  }

  /**
   * Finishes the jobs in hand (BullMQ's close waits for them) and takes no new ones. Before the
   * application shutdown, so the Postgres and Redis connections that the modules close in their
   * onApplicationShutdown are still there for those jobs (closing them together failed the jobs).
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    // A cluster client is shared by the workers (BullMQ does not close what it was given).
    if (isCluster(this.connection)) await this.connection.quit().catch(() => undefined);
  }
}
