export * from './jobs';
export { JOB_OPTIONS } from './job-options';
export { backoffStrategy } from './backoff';
export { JobQueue, topologyKey, type QueueTopology } from './job-queue';
export { encodeRecords, decodeRecords } from './batch-codec';
export { enqueueDetectBatches, pendingBatchesKey, DETECT_BATCH_SIZE } from './detect-batches';
export {
  redisClient,
  redisConnection,
  clusterTarget,
  isClusterTarget,
  parseClusterNodes,
  isCluster,
  type RedisClient,
  type RedisTarget,
} from './redis-target';
export { KEY_ROOT, tenantKey, ownKey, globalKey, queuePrefix, shardOf, apiKeyRevocationsChannel, deliverBatchOfKey } from './redis-keys';
export { attemptOfJobId, deliverJobId } from './deliver-job-id';
