export * from './jobs';
export { JOB_OPTIONS } from './job-options';
export { backoffStrategy } from './backoff';
export { JobQueue, redisConnection } from './job-queue';
export { encodeRecords, decodeRecords } from './batch-codec';
export { enqueueDetectBatches, pendingBatchesKey, DETECT_BATCH_SIZE } from './detect-batches';
export { redisClient } from './redis-client';
export { attemptOfJobId, deliverJobId } from './deliver-job-id';
