import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import { redisClient } from './redis-client';
import { JOB_OPTIONS } from './job-options';
import { QUEUE_NAMES, QUEUE_OF, QUEUE_PREFIX, type JobName, type JobOf, type QueueName } from './jobs';

/** Producer side: one BullMQ Queue per queue name, typed enqueue by job name. */
export class JobQueue {
  private readonly queues: Map<QueueName, Queue>;
  /** For the small counters that go with queueing (e.g. per-tenant pending batches). */
  readonly redis: Redis;

  constructor(connection: ConnectionOptions) {
    this.redis = redisClient(connection as RedisOptions);
    this.queues = new Map(QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix: QUEUE_PREFIX })]));
  }

  queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`unknown queue ${name}`);
    return queue;
  }

  /** `jobId` makes enqueueing idempotent: the same id is never queued twice while it exists. */
  async add<N extends JobName>(name: N, data: JobOf<N>, options: JobsOptions & { jobId: string }): Promise<void> {
    await this.queue(QUEUE_OF[name]).add(name, data, { ...JOB_OPTIONS[name], ...options });
  }

  async addBulk<N extends JobName>(name: N, jobs: Array<{ data: JobOf<N>; options: JobsOptions & { jobId: string } }>): Promise<void> {
    await this.queue(QUEUE_OF[name]).addBulk(
      jobs.map((j) => ({ name, data: j.data, opts: { ...JOB_OPTIONS[name], ...j.options } })),
    );
  }

  async depths(): Promise<Record<QueueName, Record<string, number>>> {
    const entries = await Promise.all(
      [...this.queues].map(async ([name, q]) => [name, await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized')] as const),
    );
    return Object.fromEntries(entries) as Record<QueueName, Record<string, number>>;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.redis.quit().catch(() => undefined);
  }
}

/** ioredis options from a redis:// or rediss:// URL; BullMQ wants `maxRetriesPerRequest: null`. */
export function redisConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}
