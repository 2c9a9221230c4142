import { enqueueDetectBatches } from '@trailguard/queues';
import { startTestWorkers } from './test-app';
import { testJobQueue } from './test-env';

/** Real workers on the run's Postgres and Redis, and a producer to feed them batches. */
export async function startPipeline(configOverrides: Record<string, string> = {}) {
  const workers = await startTestWorkers(configOverrides);
  const queue = testJobQueue(undefined, configOverrides);
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
