export { configSchema, type Config } from './config.schema';
export { loadConfig, ConfigError } from './load-config';
