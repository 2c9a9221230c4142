import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { prepareDatabase } from '@trailguard/db';
import { startEmbeddedPostgres, startRedisChild, type RedisChildHandle } from '@trailguard/runtime';

/**
 * One database and one Redis for the whole run, migrated once. DATABASE_URL / REDIS_URL (as
 * CI sets them) point at existing servers; unset, the embedded default is started, exactly
 * as `npm start` would. The test database is created fresh each run.
 */
export default async function globalSetup(): Promise<void> {
  const handles: Array<() => Promise<void>> = [];
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const pg = await startEmbeddedPostgres({ dataDir: '.data/test', password: 'trailguard-test', database: 'postgres' });
    handles.push(pg.stop);
    serverUrl = pg.url;
  }
  const ownerUrl = await freshDatabase(serverUrl, 'trailguard_test');
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis: RedisChildHandle = await startRedisChild({ dataDir: '.data/test' });
    handles.push(redis.stop);
    redisUrl = redis.url;
  }
  const { appUrl } = await prepareDatabase(ownerUrl, { appPassword: 'trailguard-app-test' });
  Object.assign(process.env, {
    TG_TEST_OWNER_URL: ownerUrl,
    TG_TEST_APP_URL: appUrl,
    TG_TEST_REDIS_URL: redisUrl,
    TG_TEST_SERVER_URL: serverUrl,
  });
  (globalThis as { __TG_STOP__?: Array<() => Promise<void>> }).__TG_STOP__ = handles;
  if (!existsSync('node_modules')) throw new Error('run from the repository root');
}

async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
