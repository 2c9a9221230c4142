// npm run build:cli: bundles `trailguard` (apps/cli) into one CommonJS file, apps/cli/dist/trailguard.js,
// so the command starts without compiling TypeScript (apps/cli/bin/trailguard.js prefers the build).
// The CLI has no Nest decorators, so esbuild's plain TypeScript transform is enough.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// `--outfile PATH` builds elsewhere (tests build into a temporary folder).
const at = process.argv.indexOf('--outfile');
const outfile = at === -1 ? join(root, 'apps/cli/dist/trailguard.js') : resolve(process.argv[at + 1]);
const rulesDir = join(root, 'libs/sigma/rules');

// The built-in rule folder is found from the source file's own directory; in the bundle that is
// apps/cli/dist, so point it at libs/sigma/rules relative to the bundle instead.
const builtinRulesDir = {
  name: 'builtin-rules-dir',
  setup(b) {
    b.onLoad({ filter: /libs[\\/]sigma[\\/]src[\\/]builtin-rules\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const fromBundle = relative(dirname(outfile), rulesDir).split('\\').join('/');
      const rewritten = source.replace("join(__dirname, '..', 'rules')", `join(__dirname, ${JSON.stringify(fromBundle)})`);
      if (rewritten === source) throw new Error('builtin-rules.ts: BUILTIN_RULES_DIR is no longer defined as expected');
      return { contents: rewritten, loader: 'ts' };
    });
  },
};

// The CLI reaches @trailguard/detection, whose package also exports the server's loaders (database,
// queues, Nest). Those modules are tree-shaken away ("sideEffects": false); marking their packages
// external keeps esbuild from even resolving them, and the check below proves none is required.
const serverOnly = [
  '@trailguard/db',
  '@trailguard/queues',
  '@nestjs/*',
  '@prisma/*',
  'ioredis',
  'bullmq',
  'pg',
  'class-validator',
  'class-transformer',
];

await build({
  entryPoints: [join(root, 'apps/cli/src/main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minifySyntax: true,
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [builtinRulesDir],
  external: serverOnly,
});
const bundled = await readFile(outfile, 'utf8');
const leaked = serverOnly.filter((name) => new RegExp(`require\\("${name.replace('*', '[^"]*')}"\\)`).test(bundled));
if (leaked.length > 0) throw new Error(`the CLI bundle requires server-only packages: ${leaked.join(', ')}`);
process.stdout.write(`built ${relative(root, outfile)}\n`);
