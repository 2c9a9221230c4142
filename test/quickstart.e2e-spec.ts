/**
 * The README's quick start as a newcomer runs it: `npm start` (development, no AWS credentials,
 * the redis-server child), then `npm run quickstart` (tenant, webhook receiver, AWS account,
 * upload of samples/, findings), then Ctrl-C: the process must stop within 3 s without errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { operatorToken, quickstart } from '../scripts/quickstart';
import { testEnv } from './support/test-env';

const ROOT = resolve(__dirname, '..');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
    probe.on('error', fail);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('README quick start (npm start, npm run quickstart, Ctrl-C)', () => {
  let server: ChildProcess;
  let dataDir: string;
  let output = '';
  let baseUrl: string;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  beforeAll(async () => {
    const env = testEnv();
    dataDir = mkdtempSync(join(tmpdir(), 'tg-quickstart-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    // No AWS variables at all: registration must work without AWS in development.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !/^(AWS_|TG_|PLATFORM_|REDIS_URL|DATABASE_|ADMIN_TOKEN|SECRETS_KEY|NODE_ENV|LOG_LEVEL)/.test(k),
      ),
    );
    server = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/server/src/main.ts'], {
      cwd: ROOT,
      // Its own process group, as a terminal's foreground job: Ctrl-C signals the whole group.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...inherited,
        NODE_ENV: 'development',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        // The run's database (already migrated), with the run's keys; Redis: the redis-server child.
        DATABASE_URL: env.ownerUrl,
        DATABASE_APP_URL: env.appUrl,
        SECRETS_KEY: env.secretsKey.toString('base64'),
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      },
    });
    server.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    server.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    exited = new Promise((done) => server.once('exit', (code, signal) => done({ code, signal })));
    const deadline = Date.now() + 90_000;
    while (!output.includes('listening on')) {
      if (server.exitCode !== null || server.signalCode !== null)
        throw new Error(`npm start exited (${server.exitCode ?? server.signalCode}): ${output}`);
      if (Date.now() > deadline) throw new Error(`npm start did not listen within 90 s: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);

  afterAll(async () => {
    if (server.exitCode === null && server.pid) process.kill(-server.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the operator token, and no route-mapping lines at the default level', () => {
    const token = operatorToken({ DATA_DIR: dataDir });
    expect(output).toContain(`development operator token (X-Admin-Token): ${token}`);
    expect(output).not.toMatch(/Mapped \{/);
  });

  it('gets from a fresh start to findings and a verified webhook from samples/, without AWS', async () => {
    const lines: string[] = [];
    const result = await quickstart(baseUrl, operatorToken({ DATA_DIR: dataDir }), (l) => lines.push(l));
    expect(lines.join('\n')).toContain('platform account 000000000000');
    const high = result.findings.filter((f) => f.severity === 'high');
    expect(high.map((f) => [f.ruleTitle, f.actor])).toEqual([
      ['AWS CloudTrail UpdateTrail with multi-region disabled', 'arn:aws:iam::111122223333:user/mallory'],
    ]);
    // The admin's routine UpdateTrail is there too (medium), and the follow-up in us-west-2.
    expect(
      result.findings.some((f) => f.ruleTitle === 'AWS CloudTrail UpdateTrail' && f.actor === 'arn:aws:iam::111122223333:role/CloudAdmin'),
    ).toBe(true);
    expect(result.findings.some((f) => f.ruleTitle === 'AWS Key Pair Import Activity')).toBe(true);
    expect(result.webhooks.length).toBeGreaterThan(0);
    expect(result.webhooks.every((w) => w.verified)).toBe(true);
  }, 90_000);

  it('stops on Ctrl-C within 3 s, exit 0, no errors, the redis-server child gone', async () => {
    const redisPid = Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8').trim());
    expect(alive(redisPid)).toBe(true);
    const before = output.length;
    const started = Date.now();
    process.kill(-server.pid!, 'SIGINT');
    const { code } = await exited;
    const took = Date.now() - started;
    const after = output.slice(before);
    expect({ code, errors: after.split('\n').filter((l) => /ECONNREFUSED|EPIPE|Error|"level":50/.test(l)) }).toEqual({
      code: 0,
      errors: [],
    });
    expect(after).toMatch(/stopped in \d+ ms/);
    expect(took).toBeLessThan(3000);
    expect(alive(redisPid)).toBe(false);
  }, 30_000);
});
