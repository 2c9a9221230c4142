import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface AppProcess {
  name: string;
  child: ChildProcess;
  output: string[];
  /** Resolves once the process printed its start banner; rejects if it exits first. */
  ready: Promise<void>;
  exited: Promise<number | null>;
}

/**
 * `npm run start:api` / `npm run start:worker` as the production shape runs them: the real entry
 * points in their own processes (node directly, so a signal reaches the process itself).
 */
export function startAppProcess(kind: 'api' | 'worker', name: string, env: Record<string, string>): AppProcess {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, `apps/${kind}/src/main.ts`)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const banner = kind === 'api' ? /\[trailguard api\] listening on/ : /\[trailguard worker\] working/;
  let readyResolve: () => void = () => undefined;
  let readyReject: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });
  // A process expected to fail is awaited through `exited`; its `ready` must not go unhandled.
  ready.catch(() => undefined);
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output.push(text);
    if (output.length > 400) output.splice(0, output.length - 400);
    if (banner.test(text)) readyResolve();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      readyReject(new Error(`${name} exited (${code}) before it was ready:\n${output.join('').slice(-3000)}`));
      done(code);
    }),
  );
  return { name, child, output, ready, exited };
}

export async function stopAppProcess(p: AppProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  await p.exited;
  clearTimeout(timer);
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export async function cpuSeconds(pid: number | undefined): Promise<number> {
  if (!pid) return 0;
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line (11 and 12 after the command).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
