export { ensureInfrastructure, describeInfrastructure, type Infrastructure } from './infrastructure';
export { startEmbeddedPostgres, createDatabaseIfMissing } from './embedded-postgres';
export { startRedisChild, hasRedisServer, RedisUnavailableError, type RedisChildHandle } from './redis-child';
export { freePort } from './free-port';
export { stopOnSignals, exitOnStartFailure } from './process-lifecycle';
export { shareEmbedded, readEmbeddedState, EmbeddedConflictError, type EmbeddedState } from './shared-embedded';
export { usePrettyLogs, prettyStream, quietStartup, createNestLogger } from './logging';
export { listeningAt } from './listen-address';
