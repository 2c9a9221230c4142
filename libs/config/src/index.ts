export { configSchema, type Config } from './config.schema';
export { loadConfig, ConfigError, detectShards } from './load-config';
