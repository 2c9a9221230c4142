/**
 * Operations hygiene: `npm run build` compiles what production runs (with the decorator metadata
 * NestJS needs), the compiled API starts under plain `node` with MIGRATE_ON_START=false and logs
 * JSON, a standalone worker answers its health check, and the Docker and compose files keep the
 * multi-stage, node-as-PID-1, migrate-step shape.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { serveWorkerHealth } from '@trailguard/worker-app';
import { build } from '../scripts/build';
import { startTestWorkers } from './support/test-app';
import { testEnv } from './support/test-env';

const ROOT = resolve(__dirname, '..');
const DIST = join(ROOT, 'dist');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
    probe.on('error', fail);
  });
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? jsFiles(path) : path.endsWith('.js') ? [path] : [];
  });
}

describe('production build (npm run build)', () => {
  beforeAll(async () => {
    await build();
  }, 120_000);

  it('compiles with decorator metadata, workspace imports made relative, and the runtime assets beside', () => {
    const controller = readFileSync(join(DIST, 'apps/api/src/modules/findings/findings.controller.js'), 'utf8');
    expect(controller).toContain('design:paramtypes');
    const unresolved = jsFiles(DIST).filter((f) => /require\("@trailguard\//.test(readFileSync(f, 'utf8')));
    expect(unresolved).toEqual([]);
    expect(existsSync(join(DIST, 'prisma/migrations'))).toBe(true);
    expect(existsSync(join(DIST, 'libs/sigma/rules/trailguard'))).toBe(true);
    expect(existsSync(join(DIST, 'scripts/migrate.js'))).toBe(true);
  });

  it.each([
    ['api', 'dist/apps/api/src/main.js', '/readyz'],
    ['worker', 'dist/apps/worker/src/main.js', '/healthz'],
  ])(
    'the compiled %s runs under node (production, MIGRATE_ON_START=false): JSON logs, healthy, clean SIGTERM',
    async (_name, entry, probe) => {
      const env = testEnv();
      const port = await freePort();
      const child = spawn(process.execPath, [entry], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: String(port),
          WORKER_HEALTH_PORT: String(port),
          DATABASE_URL: env.ownerUrl,
          DATABASE_APP_URL: env.appUrl,
          REDIS_URL: env.redisUrl,
          ADMIN_TOKEN: 'test-operator-token-for-the-build',
          SECRETS_KEY: env.secretsKey.toString('base64'),
          MIGRATE_ON_START: 'false',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      try {
        const deadline = Date.now() + 60_000;
        let ready = false;
        while (!ready && Date.now() < deadline && child.exitCode === null) {
          ready = await fetch(`http://127.0.0.1:${port}${probe}`).then(
            (r) => r.ok,
            () => false,
          );
          if (!ready) await new Promise((r) => setTimeout(r, 250));
        }
        expect({ ready, out: ready ? '' : out }).toEqual({ ready: true, out: '' });
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      const lines = out.trim().split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(0);
      // The `[trailguard ...]` start-up banner is for people; every log line is JSON.
      for (const line of lines.filter((l) => !l.startsWith('[trailguard'))) expect(() => JSON.parse(line)).not.toThrow();
      expect(lines.filter((l) => !l.startsWith('[trailguard')).length).toBeGreaterThan(0);
      expect(out).not.toContain('Mapped {');
    },
    90_000,
  );
});

describe('worker health check', () => {
  it('answers 200 while the workers run and are connected, 503 once they are closed', async () => {
    const ctx = await startTestWorkers();
    const server = await serveWorkerHealth(ctx, 0, '127.0.0.1');
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/healthz`;
    try {
      const up = await fetch(url);
      expect(up.status).toBe(200);
      const body = (await up.json()) as { status: string; queues: Record<string, boolean> };
      expect(body.status).toBe('ok');
      expect(Object.keys(body.queues).length).toBeGreaterThan(0);
      await ctx.close();
      expect((await fetch(url)).status).toBe(503);
    } finally {
      server.close();
    }
  }, 60_000);
});

describe('Dockerfile and docker-compose.yml', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

  it('builds in a stage of its own and runs compiled JavaScript with node as PID 1 on a current LTS', () => {
    const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.every((image) => /^node:(22|24)\b/.test(image!))).toBe(true);
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(dockerfile).toMatch(/^CMD \["node", .*"dist\/apps\/api\/src\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.git', '.data', 'dist']));
  });

  it('migrates in a step of its own, api and worker wait for it and do not migrate, the worker has a health check', () => {
    expect(compose).toMatch(/^ {2}migrate:\n(?:.*\n)*? {4}command: \['node', .*'dist\/scripts\/migrate\.js'\]/m);
    expect(compose).toContain("MIGRATE_ON_START: 'false'");
    expect(compose.match(/migrate: \{ condition: service_completed_successfully \}/g)).toHaveLength(2);
    expect(compose).toMatch(/^ {2}worker:\n(?:.*\n)*? {4}healthcheck:\n.*3001\/healthz/m);
    expect(compose).not.toMatch(/'npm'/);
  });
});
