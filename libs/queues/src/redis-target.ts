import { Logger } from '@nestjs/common';
import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';

const logger = new Logger('Redis');

/** A client of either shape; every command Trailguard uses exists on both. */
export type RedisClient = Redis | Cluster;

/**
 * Where Redis is, as one string that travels through the runtime objects: a `redis://` or
 * `rediss://` URL for one server, or `redis-cluster://host:port,host:port` (the seed nodes of a
 * Redis Cluster, from REDIS_CLUSTER_NODES).
 */
export type RedisTarget = string;

const CLUSTER_SCHEME = 'redis-cluster://';

export function clusterTarget(nodes: string): RedisTarget {
  return `${CLUSTER_SCHEME}${nodes}`;
}

export function isClusterTarget(target: RedisTarget): boolean {
  return target.startsWith(CLUSTER_SCHEME);
}

/** `host:port,host:port` -> nodes; throws naming the entry that is not `host:port`. */
export function parseClusterNodes(nodes: string): ClusterNode[] {
  return nodes
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^([^\s:/,]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(entry);
      const port = Number(m?.[2]);
      if (!m || port < 1 || port > 65535) throw new Error(`"${entry}" is not host:port`);
      return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
    });
}

/**
 * Cluster options that survive a failover: commands wait (offline queue) while slots move or the
 * cluster is briefly down, and are retried on MOVED/ASK/TRYAGAIN/CLUSTERDOWN.
 */
function clusterOptions(redisOptions: RedisOptions): ClusterOptions {
  return {
    redisOptions,
    enableOfflineQueue: true,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 200,
    maxRedirections: 32,
    slotsRefreshTimeout: 2000,
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
  };
}

function newCluster(target: RedisTarget, redisOptions: RedisOptions): Cluster {
  return new Cluster(parseClusterNodes(target.slice(CLUSTER_SCHEME.length)), clusterOptions(redisOptions));
}

/**
 * A client (one server or a cluster) that reports connection errors instead of crashing on them:
 * ioredis emits `error` while it reconnects, and an unheard `error` event would end the process.
 */
export function redisClient(target: RedisTarget | RedisOptions, options: RedisOptions = {}): RedisClient {
  let redis: RedisClient;
  if (typeof target === 'string' && isClusterTarget(target)) redis = newCluster(target, options);
  else redis = typeof target === 'string' ? new Redis(target, options) : new Redis({ ...target, ...options });
  let last = 0;
  redis.on('error', (error: Error) => {
    // One line per 10 s at most: a down Redis errors on every reconnect attempt.
    if (Date.now() - last < 10_000) return;
    last = Date.now();
    logger.warn(`connection problem (retrying): ${error.message}`);
  });
  return redis;
}

/**
 * What BullMQ is given. One server: ioredis options from the URL (BullMQ makes its own clients).
 * A cluster: a Cluster client, since BullMQ only builds standalone clients from options; its
 * owner closes it. BullMQ needs `maxRetriesPerRequest: null` either way (blocking commands).
 */
export function redisConnection(target: RedisTarget): RedisOptions | Cluster {
  if (isClusterTarget(target)) return redisClient(target, { maxRetriesPerRequest: null }) as Cluster;
  const u = new URL(target);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

export function isCluster(connection: unknown): connection is Cluster {
  return connection instanceof Cluster;
}
