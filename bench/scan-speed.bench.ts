/**
 * `trailguard scan --format ids` with the built-in rules, end to end (a child process, as users run
 * it), against JSON.parse of every line alone (bench/parse-lines.mjs, also a child process), run
 * alternately so machine noise hits both.
 *
 *   npm run build:cli
 *   node -r @swc-node/register bench/generate-corpus.ts --count 300000 --out bench/out/corpus-300k.ndjson
 *   node -r @swc-node/register bench/scan-speed.bench.ts --corpus bench/out/corpus-300k.ndjson --rounds 3
 *
 * Prints each run's wall-clock seconds and the ratio parse-alone / scan (>= 1.0: the scan is at
 * least as fast as parsing alone). `--no-prefilter` adds a third contender: the scan parsing every line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: 'bench/out/corpus-300k.ndjson' },
    rounds: { type: 'string', default: '3' },
    'no-prefilter': { type: 'boolean', default: false },
  },
});
const root = join(__dirname, '..');
const corpus = values.corpus!;
if (!existsSync(join(root, 'apps/cli/dist/trailguard.js'))) throw new Error('run `npm run build:cli` first');

// On a shared machine wall-clock time mostly measures the neighbours; CPU time (user + sys, from
// /usr/bin/time) is reported beside it.
const TIME = '/usr/bin/time';
const hasTime = existsSync(TIME);

function run(label: string, args: string[]): { wall: number; cpu: number } {
  const started = process.hrtime.bigint();
  const [cmd, argv] = hasTime ? [TIME, ['-f', 'TG_CPU %U %S', process.execPath, ...args]] : [process.execPath, args];
  const child = spawnSync(cmd, argv, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0) throw new Error(`${label} exited ${child.status}: ${child.stderr.toString()}`);
  const m = /TG_CPU ([\d.]+) ([\d.]+)/.exec(child.stderr.toString());
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
}

const contenders: Array<[string, string[]]> = [
  ['parse alone', ['bench/parse-lines.mjs', corpus]],
  ['scan --format ids', ['apps/cli/bin/trailguard.js', 'scan', '--format', 'ids', '--no-progress', '--no-summary', corpus]],
];
if (values['no-prefilter']) {
  contenders.push([
    'scan, no prefilter',
    ['apps/cli/bin/trailguard.js', 'scan', '--format', 'ids', '--no-progress', '--no-summary', '--no-prefilter', corpus],
  ]);
}
const totals = new Map<string, { wall: number; cpu: number }>();
for (let round = 1; round <= Number(values.rounds); round++) {
  const cells: string[] = [];
  for (const [label, args] of contenders) {
    const t = run(label, args);
    const sum = totals.get(label) ?? { wall: 0, cpu: 0 };
    totals.set(label, { wall: sum.wall + t.wall, cpu: sum.cpu + t.cpu });
    cells.push(`${label} ${t.wall.toFixed(2)} s wall, ${t.cpu.toFixed(2)} s cpu`);
  }
  console.log(`round ${round}: ${cells.join(' | ')} | load ${loadavg()[0]!.toFixed(1)}`);
}
const rounds = Number(values.rounds);
const parse = totals.get('parse alone')!;
for (const [label, t] of totals) {
  console.log(
    `${label}: ${(t.wall / rounds).toFixed(2)} s wall, ${(t.cpu / rounds).toFixed(2)} s cpu (mean); parse-alone / this = ${(parse.wall / t.wall).toFixed(2)}x wall, ${(parse.cpu / t.cpu).toFixed(2)}x cpu`,
  );
}
