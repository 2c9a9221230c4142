export { ensureInfrastructure, type Infrastructure } from './infrastructure';
export { startEmbeddedPostgres, createDatabaseIfMissing } from './embedded-postgres';
export { startRedisChild, hasRedisServer, RedisUnavailableError } from './redis-child';
export { freePort } from './free-port';
