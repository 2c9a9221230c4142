import { readFile } from 'node:fs/promises';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a server left running by a previous run that was killed outright (its pid file is on the
 * first line of `pidfile`), so two servers never share one data directory. Postgres and Redis
 * both shut down cleanly on SIGTERM.
 */
export async function stopStale(pidfile: string, command: 'postgres' | 'redis-server', timeoutMs = 15_000): Promise<void> {
  const text = await readFile(pidfile, 'utf8').catch(() => '');
  const pid = Number(text.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid || !alive(pid)) return;
  // The pid may have been reused by an unrelated process since: only stop the server we expect.
  const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
  if (!comm.startsWith(command.slice(0, 15))) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`a previous server (pid ${pid}, ${pidfile}) did not stop within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
