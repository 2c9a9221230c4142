/**
 * `npm run build`: compiles the server, API, worker and the libraries they use to JavaScript
 * under dist/, in the repository's layout (dist/apps/api/src/main.js, dist/libs/db/src/...), with
 * the runtime assets beside them (prisma/migrations, the built-in Sigma rules), so production runs
 * `node dist/apps/api/src/main.js` with no compiler in the process.
 *
 * swc, not esbuild: NestJS's dependency injection needs decorator metadata (emitDecoratorMetadata),
 * which swc emits and esbuild does not. `@trailguard/*` imports are rewritten to relative paths
 * (jsc.paths), so dist/ needs no workspace links.
 */
import { transformFile, type Options } from '@swc/core';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const OUT = join(ROOT, 'dist');
/** What production runs; apps/cli has its own build (build:cli), libs/testing is for tests. */
const PROJECTS = [
  'apps/api',
  'apps/worker',
  'apps/server',
  'libs/aws',
  'libs/cloudtrail',
  'libs/config',
  'libs/db',
  'libs/detection',
  'libs/queues',
  'libs/runtime',
  'libs/sigma',
  'libs/webhooks',
];
const ASSETS = ['prisma/migrations', 'libs/sigma/rules'];
/** The migration step (docker-compose `migrate`: node dist/scripts/migrate.js). */
const EXTRA_FILES = ['scripts/migrate.ts'];
/** Production sources: no tests, test helpers or benchmarks. */
const isSource = (f: string) =>
  f.endsWith('.ts') && !f.endsWith('.d.ts') && !/\.(spec|int-spec|e2e-spec|bench|test-helper)\.ts$/.test(f) && !f.includes('/src/testing/');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** `@trailguard/<name>` -> its package's entry (package.json "main"), for swc's path rewriting. */
function workspacePaths(): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const project of PROJECTS) {
    const pkg = JSON.parse(readFileSync(join(ROOT, project, 'package.json'), 'utf8')) as { name: string; main?: string };
    if (pkg.main) paths[pkg.name] = [`./${project}/${pkg.main}`];
  }
  return paths;
}

export async function build(): Promise<number> {
  const swcrc = JSON.parse(readFileSync(join(ROOT, '.swcrc'), 'utf8')) as Options & { $schema?: string };
  delete swcrc.$schema;
  const options: Options = { ...swcrc, swcrc: false, sourceMaps: true, jsc: { ...swcrc.jsc, baseUrl: ROOT, paths: workspacePaths() } };
  rmSync(OUT, { recursive: true, force: true });
  const files = [...PROJECTS.flatMap((p) => filesUnder(join(ROOT, p, 'src'))).filter(isSource), ...EXTRA_FILES.map((f) => join(ROOT, f))];
  for (const file of files) {
    const target = join(OUT, relative(ROOT, file)).replace(/\.ts$/, '.js');
    const out = await transformFile(file, { ...options, filename: file, sourceFileName: relative(dirname(target), file) });
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, `${out.code}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
    if (out.map) writeFileSync(`${target}.map`, out.map);
  }
  for (const asset of ASSETS) if (existsSync(join(ROOT, asset))) cpSync(join(ROOT, asset), join(OUT, asset), { recursive: true });
  return files.length;
}

if (require.main === module) {
  const started = Date.now();
  build().then(
    (n) => process.stdout.write(`compiled ${n} files to dist/ in ${Date.now() - started} ms\n`),
    (err: unknown) => {
      process.stderr.write(`build failed: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
