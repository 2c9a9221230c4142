import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedConflictError, readEmbeddedState, shareEmbedded } from './shared-embedded';

/** Real listening sockets stand in for the servers: attaching checks that they answer. */
async function listening(): Promise<{ server: Server; url: string }> {
  const server = createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { server, url: `redis://127.0.0.1:${port}` };
}

describe('one embedded instance per DATA_DIR', () => {
  let dir: string;
  const servers: Server[] = [];
  let starts = 0;
  const start = async () => {
    starts++;
    const a = await listening();
    const b = await listening();
    servers.push(a.server, b.server);
    return {
      postgresUrl: b.url.replace('redis:', 'postgresql:'),
      redisUrl: a.url,
      stop: async () => {
        a.server.close();
        b.server.close();
      },
    };
  };
  const both = { postgres: true, redis: true };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tg-embedded-'));
    starts = 0;
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the first process starts the servers and the next ones attach to the same addresses', async () => {
    const first = await shareEmbedded(dir, both, start);
    const second = await shareEmbedded(dir, both, start);
    expect(starts).toBe(1);
    expect(first.owner).toBe(true);
    expect(second.owner).toBe(false);
    expect(second.redisUrl).toBe(first.redisUrl);
    expect(second.postgresUrl).toBe(first.postgresUrl);
    expect((await readEmbeddedState(dir))?.ownerPid).toBe(process.pid);
    await second.stop(); // an attached process stops nothing
    expect((await readEmbeddedState(dir))?.redisUrl).toBe(first.redisUrl);
    await first.stop();
    expect(await readEmbeddedState(dir)).toBeUndefined();
  });

  it('processes started together start the servers once', async () => {
    const all = await Promise.all([1, 2, 3, 4].map(() => shareEmbedded(dir, both, start)));
    expect(starts).toBe(1);
    expect(all.filter((s) => s.owner)).toHaveLength(1);
    expect(new Set(all.map((s) => s.redisUrl)).size).toBe(1);
  });

  it('replaces a stale record: its owner is gone', async () => {
    const dead = spawnSync('true').pid;
    await writeFile(
      join(dir, 'embedded.json'),
      JSON.stringify({ ownerPid: dead, redisUrl: 'redis://127.0.0.1:1', postgresUrl: 'postgresql://127.0.0.1:1', startedAt: '' }),
    );
    const lines: string[] = [];
    const got = await shareEmbedded(dir, both, start, (l) => lines.push(l));
    expect(starts).toBe(1);
    expect(got.owner).toBe(true);
    expect(got.redisUrl).not.toBe('redis://127.0.0.1:1');
    expect(lines.join('\n')).toMatch(/stale embedded.json/);
  });

  it('replaces a record whose owner lives but whose servers do not answer', async () => {
    await writeFile(join(dir, 'embedded.json'), JSON.stringify({ ownerPid: process.ppid, redisUrl: 'redis://127.0.0.1:1', startedAt: '' }));
    const got = await shareEmbedded(dir, { postgres: false, redis: true }, start);
    expect(got.owner).toBe(true);
  });

  it('takes over a start lock whose holder died', async () => {
    await writeFile(join(dir, 'embedded.lock'), String(spawnSync('true').pid));
    const got = await shareEmbedded(dir, both, start, undefined, 2000);
    expect(got.owner).toBe(true);
    await expect(readFile(join(dir, 'embedded.lock'), 'utf8')).rejects.toThrow();
  });

  it('refuses, saying why, to attach when the owner has no embedded server this process needs', async () => {
    const a = await listening();
    servers.push(a.server);
    await writeFile(join(dir, 'embedded.json'), JSON.stringify({ ownerPid: process.ppid, redisUrl: a.url, startedAt: '' }));
    const attempt = shareEmbedded(dir, both, start);
    await expect(attempt).rejects.toThrow(EmbeddedConflictError);
    await expect(shareEmbedded(dir, both, start)).rejects.toThrow(/without an embedded Postgres; give this process the same DATABASE_URL/);
    expect(starts).toBe(0);
  });
});
