import { configSchema, type Config } from './config.schema';

export class ConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Validates the environment once; every problem is reported by variable name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const config = parsed.data;
  if (config.FINDING_RETENTION_DAYS > config.FINDING_RETENTION_MAX_DAYS) {
    throw new ConfigError([`FINDING_RETENTION_DAYS: must not exceed FINDING_RETENTION_MAX_DAYS (${config.FINDING_RETENTION_MAX_DAYS})`]);
  }
  if (config.REDIS_URL && config.REDIS_CLUSTER_NODES) {
    throw new ConfigError(['REDIS_URL, REDIS_CLUSTER_NODES: set one of them, not both (one Redis server, or the seed nodes of a cluster)']);
  }
  // A development process (embedded database, generated operator token) is not for the network:
  // it listens on loopback unless HOST says otherwise.
  if (present.HOST === undefined && config.NODE_ENV === 'development') config.HOST = '127.0.0.1';
  if (config.NODE_ENV === 'production') {
    const missing: string[] = (['ADMIN_TOKEN', 'DATABASE_URL', 'SECRETS_KEY'] as const).filter((k) => !config[k]);
    if (!config.REDIS_URL && !config.REDIS_CLUSTER_NODES) missing.push('REDIS_URL');
    if (missing.length > 0) {
      throw new ConfigError(
        missing.map((k) => `${k}: required when NODE_ENV=production${k === 'REDIS_URL' ? ' (or REDIS_CLUSTER_NODES)' : ''}`),
      );
    }
  }
  return config;
}

/** DETECT_QUEUE_SHARDS, or its default: a single Redis gains nothing from shards, a cluster does. */
export function detectShards(config: Pick<Config, 'DETECT_QUEUE_SHARDS' | 'REDIS_CLUSTER_NODES'>): number {
  return config.DETECT_QUEUE_SHARDS ?? (config.REDIS_CLUSTER_NODES ? 4 : 1);
}
