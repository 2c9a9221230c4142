import { Queue, type ConnectionOptions, type JobsOptions, type JobType } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { isCluster, redisClient, type RedisClient } from './redis-target';
import { JOB_OPTIONS } from './job-options';
import { QUEUE_NAMES, QUEUE_OF, SHARDED_QUEUES, queueNamesOf, type JobName, type JobOf, type QueueName } from './jobs';
import { globalKey, queuePrefix, shardOf } from './redis-keys';

export interface QueueTopology {
  /** How many queues the detection work is split into, by tenant (DETECT_QUEUE_SHARDS). */
  detectShards: number;
}

/** Producer side: one BullMQ Queue per queue (shards included), typed enqueue by job name. */
export class JobQueue {
  private readonly queues = new Map<string, Queue>();
  /** For the small counters that go with queueing (e.g. per-tenant pending batches). */
  readonly redis: RedisClient;
  readonly topology: QueueTopology;

  constructor(
    private readonly connection: ConnectionOptions,
    topology: Partial<QueueTopology> = {},
  ) {
    this.topology = { detectShards: Math.max(1, topology.detectShards ?? 1) };
    // A cluster client is shared by the queues and the counters; one server: a client of our own.
    this.redis = isCluster(connection) ? connection : redisClient(connection as RedisOptions);
    for (const name of this.names()) this.queues.set(name, new Queue(name, { connection, prefix: queuePrefix(name) }));
  }

  /** Every BullMQ queue name, shards included. */
  names(): string[] {
    return QUEUE_NAMES.flatMap((group) => queueNamesOf(group, this.topology.detectShards));
  }

  /** A queue by its BullMQ name (`ingest`, `webhooks`, `detect-3`, ...). */
  queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`unknown queue ${name}${SHARDED_QUEUES.has(name as QueueName) ? ' (sharded: use shardsOf)' : ''}`);
    return queue;
  }

  /** The queues of a group: one, or every shard. */
  shardsOf(group: QueueName): Queue[] {
    return queueNamesOf(group, this.topology.detectShards).map((n) => this.queue(n));
  }

  /** The queue a job goes to: its group, and for a sharded group the shard of its tenant. */
  queueFor<N extends JobName>(name: N, data: JobOf<N>): Queue {
    const group = QUEUE_OF[name];
    if (!SHARDED_QUEUES.has(group)) return this.queue(group);
    const tenantId = (data as { tenantId?: unknown }).tenantId;
    if (typeof tenantId !== 'string') throw new Error(`job ${name} goes to a sharded queue and needs a tenantId`);
    return this.queue(`${group}-${shardOf(tenantId, this.topology.detectShards)}`);
  }

  /** `jobId` makes enqueueing idempotent: the same id is never queued twice while it exists. */
  async add<N extends JobName>(name: N, data: JobOf<N>, options: JobsOptions & { jobId: string }): Promise<void> {
    await this.queueFor(name, data).add(name, data, { ...JOB_OPTIONS[name], ...options });
  }

  async addBulk<N extends JobName>(name: N, jobs: Array<{ data: JobOf<N>; options: JobsOptions & { jobId: string } }>): Promise<void> {
    // One addBulk per queue: a cluster runs each in the queue's own slot.
    const byQueue = new Map<Queue, typeof jobs>();
    for (const job of jobs) {
      const q = this.queueFor(name, job.data);
      byQueue.set(q, [...(byQueue.get(q) ?? []), job]);
    }
    await Promise.all(
      [...byQueue].map(([q, list]) => q.addBulk(list.map((j) => ({ name, data: j.data, opts: { ...JOB_OPTIONS[name], ...j.options } })))),
    );
  }

  /** Job counts of a group, summed over its shards. */
  async counts(group: QueueName, ...states: JobType[]): Promise<Record<string, number>> {
    const all = await Promise.all(this.shardsOf(group).map((q) => q.getJobCounts(...states)));
    const sum: Record<string, number> = {};
    for (const c of all) for (const [k, v] of Object.entries(c)) sum[k] = (sum[k] ?? 0) + v;
    return sum;
  }

  /** Depths per group (shards summed), the shape /readyz answers. */
  async depths(): Promise<Record<QueueName, Record<string, number>>> {
    const entries = await Promise.all(
      QUEUE_NAMES.map(async (group) => [group, await this.counts(group, 'waiting', 'active', 'delayed', 'failed', 'prioritized')] as const),
    );
    return Object.fromEntries(entries) as Record<QueueName, Record<string, number>>;
  }

  /**
   * Every process of an installation must split detection the same way, or a producer would queue
   * to a shard no worker serves. The first process records the shard count; one that disagrees
   * refuses to start. (Changing it: stop everything, drain the detect queues, delete the key.)
   */
  async agreeOnTopology(): Promise<void> {
    const key = topologyKey();
    await this.redis.set(key, String(this.topology.detectShards), 'NX');
    const recorded = Number(await this.redis.get(key));
    if (recorded !== this.topology.detectShards) {
      throw new Error(
        `DETECT_QUEUE_SHARDS is ${this.topology.detectShards} here but ${recorded} for the other processes of this Redis (key ${key}): ` +
          'every API and worker process must use the same value',
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.redis.quit().catch(() => undefined);
  }
}

/** Where the installation's detection shard count is recorded. */
export function topologyKey(): string {
  return globalKey('topology', 'detect-shards');
}
