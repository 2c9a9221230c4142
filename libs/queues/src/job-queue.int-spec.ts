import { randomUUID } from 'node:crypto';
import { detectShards, loadConfig } from '@trailguard/config';
import { JobQueue, topologyKey } from './job-queue';
import { redisConnection } from './redis-target';
import { queuePrefix, shardOf, tenantKey } from './redis-keys';
import { pendingBatchesKey } from './detect-batches';

const url = process.env.TG_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The shard count of this test run's workers (DETECT_QUEUE_SHARDS may be set for the whole run). */
const runShards = detectShards(loadConfig({ DETECT_QUEUE_SHARDS: process.env.DETECT_QUEUE_SHARDS }));

describe('queue topology', () => {
  it('spreads tenants over every shard, each tenant always on the same one', () => {
    const counts = new Array<number>(8).fill(0);
    const tenants = Array.from({ length: 4000 }, () => randomUUID());
    for (const t of tenants) counts[shardOf(t, 8)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(4000 / 8 / 2);
    for (const t of tenants.slice(0, 50)) expect(shardOf(t, 8)).toBe(shardOf(t, 8));
    expect(shardOf(tenants[0]!, 1)).toBe(0);
  });

  it('gives each queue its own hash tag, and a tenant key the tenant', () => {
    expect(queuePrefix('detect-3')).toBe('{tg:detect-3}');
    expect(tenantKey('t1', 'corr', '')).toBe('tg:{t:t1}:corr:');
    expect(pendingBatchesKey('t1')).toBe('tg:{t:t1}:detect:pending');
  });

  describe('on Redis', () => {
    const queues: JobQueue[] = [];
    const open = (shards: number) => {
      const q = new JobQueue(redisConnection(url), { detectShards: shards });
      queues.push(q);
      return q;
    };
    afterAll(() => Promise.all(queues.map((q) => q.close())));

    it("routes a detection job to its tenant's shard and other jobs to their group", () => {
      const q = open(5);
      expect(q.names()).toEqual(['detect-0', 'detect-1', 'detect-2', 'detect-3', 'detect-4', 'ingest', 'webhooks']);
      const tenantId = randomUUID();
      const data = { tenantId, accountId: 'a', source: 'upload' as const, batchId: 'b', recordsGz: '', count: 0 };
      expect(q.queueFor('detect.batch', data).name).toBe(`detect-${shardOf(tenantId, 5)}`);
      expect(q.queueFor('webhooks.deliver', { tenantId, deliveryId: 'd' }).name).toBe('webhooks');
      expect(() => q.queue('detect')).toThrow(/sharded/);
    });

    it('refuses a process whose shard count differs from the one recorded for this Redis, naming the variable', async () => {
      await open(runShards).agreeOnTopology();
      expect(Number(await queues[queues.length - 1]!.redis.get(topologyKey()))).toBe(runShards);
      await expect(open(runShards + 1).agreeOnTopology()).rejects.toThrow(
        /DETECT_QUEUE_SHARDS is \d+ here but \d+ for the other processes/,
      );
    });
  });
});
