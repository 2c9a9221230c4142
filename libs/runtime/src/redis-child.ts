import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stopStale } from './stale-process';
import { createConnection } from 'node:net';
import { freePort } from './free-port';

export class RedisUnavailableError extends Error {
  readonly code = 'redis_unavailable';
}

export interface RedisChildHandle {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * A redis-server child for the one-machine default: AOF on (so queued jobs survive a restart),
 * `noeviction` (BullMQ must never lose keys to memory pressure), loopback only.
 */
export async function startRedisChild(options: { dataDir: string; port?: number }): Promise<RedisChildHandle> {
  if (!hasRedisServer()) {
    throw new RedisUnavailableError(
      'REDIS_URL is not set and no redis-server is on the PATH. Install Redis 7 (Debian/Ubuntu: ' +
        '`apt-get install redis-server`, macOS: `brew install redis`) or set REDIS_URL=redis://host:6379.',
    );
  }
  const dir = resolve(options.dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const pidfile = join(dir, 'redis.pid');
  await stopStale(pidfile, 'redis-server');
  const port = options.port ?? (await freePort());
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--pidfile',
      pidfile,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--protected-mode',
      'yes',
    ],
    // Its own process group: a terminal's Ctrl-C reaches only us, and we stop it last (stop()).
    { stdio: 'ignore', detached: true },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // Whatever ends this process (process.exit from a signal handler included) ends the child too;
  // a process killed outright leaves it, and the next start stops it through the pid file.
  const killChild = () => child.kill('SIGTERM');
  process.once('exit', killChild);
  await waitForPort(port, 10_000, () => child.exitCode !== null);
  return {
    url: `redis://127.0.0.1:${port}`,
    process: child,
    async stop() {
      process.removeListener('exit', killChild);
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitForPort(port: number, timeoutMs: number, failed: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (failed()) throw new RedisUnavailableError(`redis-server exited before listening on port ${port}`);
    const ok = await new Promise<boolean>((done) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.end();
        done(true);
      });
      socket.on('error', () => done(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new RedisUnavailableError(`redis-server did not listen on port ${port} within ${timeoutMs} ms`);
}
