import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { prepareDatabase } from '@trailguard/db';
import { startEmbeddedPostgres, startRedisChild, type RedisChildHandle } from '@trailguard/runtime';
import { claimRedisTestDb } from './support/redis-test-db';

/**
 * One database and one Redis for the whole run, migrated once. DATABASE_URL / REDIS_URL (as
 * CI sets them) point at existing servers; unset, the embedded default is started, exactly
 * as `npm start` would, in a data directory of this run's own. Each run gets its own fresh
 * Postgres database and its own logical Redis database, so runs side by side, and whatever
 * an earlier run or another process left in Redis, do not disturb each other.
 */
export default async function globalSetup(): Promise<void> {
  const handles: Array<() => Promise<void>> = [];
  const runDir = join(tmpdir(), `trailguard-test-${process.pid}`);
  handles.push(async () => rm(runDir, { recursive: true, force: true }));
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const pg = await startEmbeddedPostgres({ dataDir: runDir, password: 'trailguard-test', database: 'postgres' });
    handles.push(pg.stop);
    serverUrl = pg.url;
  }
  const dbName = `trailguard_test_${process.pid}`;
  const ownerUrl = await freshDatabase(serverUrl, dbName);
  handles.push(() => dropDatabase(serverUrl, dbName));
  let redisUrl: string;
  if (process.env.REDIS_URL) {
    const claimed = await claimRedisTestDb(process.env.REDIS_URL, `pid ${process.pid}`);
    handles.push(claimed.release);
    redisUrl = claimed.url;
  } else {
    const redis: RedisChildHandle = await startRedisChild({ dataDir: runDir });
    handles.push(redis.stop);
    redisUrl = redis.url;
  }
  const { appUrl } = await prepareDatabase(ownerUrl, { appPassword: 'trailguard-app-test' });
  Object.assign(process.env, {
    TG_TEST_OWNER_URL: ownerUrl,
    TG_TEST_APP_URL: appUrl,
    TG_TEST_REDIS_URL: redisUrl,
    TG_TEST_SERVER_URL: serverUrl,
    TG_TEST_SECRETS_KEY: randomBytes(32).toString('base64'),
    // The AWS SDK's notice that its 2027 releases need Node 22 is for operators (npm start prints
    // it); printed by every test file it only hides the output that matters.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  (globalThis as { __TG_STOP__?: Array<() => Promise<void>> }).__TG_STOP__ = handles;
  if (!existsSync('node_modules')) throw new Error('run from the repository root');
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  await dropDatabase(serverUrl, name);
  await onServer(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
