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

function run(label: string, args: string[]): number {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0) throw new Error(`${label} exited ${child.status}: ${child.stderr.toString()}`);
  return seconds;
}

const contenders: Array<[string, string[]]> = [
  ['parse alone', ['bench/parse-lines.mjs', corpus]],
  ['scan --format ids', ['apps/cli/bin/trailguard.js', 'scan', '--format', 'ids', '--no-progress', '--no-summary', corpus]],
];
if (values['no-prefilter']) {
  contenders.push(['scan, no prefilter', ['apps/cli/bin/trailguard.js', 'scan', '--format', 'ids', '--no-progress', '--no-summary', '--no-prefilter', corpus]]);
}
const totals = new Map<string, number>();
for (let round = 1; round <= Number(values.rounds); round++) {
  const cells: string[] = [];
  for (const [label, args] of contenders) {
    const seconds = run(label, args);
    totals.set(label, (totals.get(label) ?? 0) + seconds);
    cells.push(`${label} ${seconds.toFixed(2)} s`);
  }
  console.log(`round ${round}: ${cells.join(' | ')} | load ${loadavg()[0]!.toFixed(1)}`);
}
const parse = totals.get('parse alone')!;
for (const [label, total] of totals) console.log(`${label}: ${(total / Number(values.rounds)).toFixed(2)} s mean, parse-alone / this = ${(parse / total).toFixed(2)}x`);
