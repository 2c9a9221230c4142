import { open, readFile, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';

/** What the process that started the embedded servers recorded for the others. */
export interface EmbeddedState {
  ownerPid: number;
  postgresUrl?: string;
  redisUrl?: string;
  startedAt: string;
}

export interface EmbeddedNeed {
  postgres: boolean;
  redis: boolean;
}

export interface SharedEmbedded {
  postgresUrl?: string;
  redisUrl?: string;
  /** True when this process started the servers (and stops them); false when it attached. */
  owner: boolean;
  stop(): Promise<void>;
}

export class EmbeddedConflictError extends Error {
  readonly code = 'embedded_conflict';
}

const STATE_FILE = 'embedded.json';
const LOCK_FILE = 'embedded.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function answers(url: string | undefined, timeoutMs = 1000): Promise<boolean> {
  if (!url) return Promise.resolve(true);
  const u = new URL(url);
  return new Promise((done) => {
    const socket = createConnection({ host: u.hostname, port: Number(u.port) });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export async function readEmbeddedState(dataDir: string): Promise<EmbeddedState | undefined> {
  const text = await readFile(join(dataDir, STATE_FILE), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as EmbeddedState;
  } catch {
    return undefined;
  }
}

/** A state whose owner is gone or whose servers do not answer is stale: its servers are not to be used. */
async function usable(state: EmbeddedState | undefined): Promise<boolean> {
  if (!state || !Number.isInteger(state.ownerPid) || !alive(state.ownerPid)) return false;
  return (await answers(state.postgresUrl)) && (await answers(state.redisUrl));
}

/**
 * Held while one process decides whether to start the embedded servers or attach to them, so two
 * processes started together never both start them. A lock whose holder died is taken over.
 */
async function withStartLock<T>(dataDir: string, work: () => Promise<T>, timeoutMs: number): Promise<T> {
  const file = join(dataDir, LOCK_FILE);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      // A holder that died (or a lock file cut short before its pid was written, when old enough).
      if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
        await rm(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new EmbeddedConflictError(
          `another process (pid ${holder || '?'}) has been starting the embedded servers under ${dataDir} for too long (${file})`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await work();
  } finally {
    await rm(file, { force: true });
  }
}

/**
 * The one embedded Postgres / redis-server of a DATA_DIR, shared by every process started on it
 * (`npm run start:api` and any number of `npm run start:worker`): the first starts the servers and
 * records their addresses in DATA_DIR/embedded.json; the others attach to them. A record whose
 * owner died or whose servers do not answer is stale and replaced. A process that needs a server
 * the owner did not start (e.g. the owner was given DATABASE_URL) refuses to start, saying so:
 * two processes on different servers would share nothing.
 */
export async function shareEmbedded(
  dataDir: string,
  need: EmbeddedNeed,
  start: (need: EmbeddedNeed) => Promise<{ postgresUrl?: string; redisUrl?: string; stop(): Promise<void> }>,
  log: (msg: string) => void = () => undefined,
  lockTimeoutMs = 180_000,
): Promise<SharedEmbedded> {
  await mkdir(dataDir, { recursive: true });
  return withStartLock(
    dataDir,
    async () => {
      const state = await readEmbeddedState(dataDir);
      if (state && (await usable(state))) {
        const missing = [need.postgres && !state.postgresUrl ? 'Postgres' : '', need.redis && !state.redisUrl ? 'Redis' : ''].filter(
          Boolean,
        );
        if (missing.length > 0) {
          throw new EmbeddedConflictError(
            `the embedded servers under ${dataDir} were started by pid ${state.ownerPid} without an embedded ${missing.join(' and ')}; ` +
              `give this process the same DATABASE_URL / REDIS_URL as that one, or stop it first`,
          );
        }
        log(`attaching to the embedded servers of pid ${state.ownerPid} (${join(dataDir, STATE_FILE)})`);
        return {
          postgresUrl: need.postgres ? state.postgresUrl : undefined,
          redisUrl: need.redis ? state.redisUrl : undefined,
          owner: false,
          stop: async () => undefined,
        };
      }
      if (state) log(`replacing a stale ${STATE_FILE} (pid ${state.ownerPid} is gone or its servers do not answer)`);
      const started = await start(need);
      const record: EmbeddedState = {
        ownerPid: process.pid,
        postgresUrl: started.postgresUrl,
        redisUrl: started.redisUrl,
        startedAt: new Date().toISOString(),
      };
      const tmp = join(dataDir, `${STATE_FILE}.${process.pid}.tmp`);
      await writeFile(tmp, JSON.stringify(record, null, 2), { mode: 0o600 });
      await rename(tmp, join(dataDir, STATE_FILE));
      return {
        ...started,
        owner: true,
        stop: async () => {
          // Only the record this process wrote: a later owner's must stay.
          const current = await readEmbeddedState(dataDir);
          if (current?.ownerPid === process.pid) await rm(join(dataDir, STATE_FILE), { force: true });
          await started.stop();
        },
      };
    },
    lockTimeoutMs,
  );
}
