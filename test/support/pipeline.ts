import type { INestApplicationContext } from '@nestjs/common';
import { enqueueDetectBatches, JobQueue, redisConnection } from '@trailguard/queues';
import { startWorkers } from '@trailguard/worker-app';
import { testConfig, testEnv } from './test-env';

/** Real workers on the run's Postgres and Redis, and a producer to feed them batches. */
export async function startPipeline(configOverrides: Record<string, string> = {}) {
  const env = testEnv();
  const workers: INestApplicationContext = await startWorkers({
    config: testConfig(configOverrides),
    appDatabaseUrl: env.appUrl,
    redisUrl: env.redisUrl,
    secretsKey: env.secretsKey,
  });
  const queue = new JobQueue(redisConnection(env.redisUrl));
  return {
    queue,
    enqueue: (tenantId: string, accountId: string, records: object[], batchKey?: string) =>
      enqueueDetectBatches(queue, { tenantId, accountId, source: 'upload', records, ...(batchKey ? { batchKey } : {}) }),
    async close() {
      await queue.close();
      await workers.close();
    },
  };
}
