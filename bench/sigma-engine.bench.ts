/**
 * Sigma engine throughput: JSON.parse alone vs JSON.parse + RuleSet.match() with the full built-in
 * library, over the combined corpus repeated in memory to ~200k lines, in one process and one run.
 * A third loop, JSON.parse + classifyRecord() (what the readers check of every record, the depth
 * limit included), shows what reading costs on top of parsing.
 *
 *   node -r @swc-node/register bench/sigma-engine.bench.ts [--lines 200000] [--rounds 5]
 */
import { readFileSync } from 'node:fs';
import { classifyRecord } from '@trailguard/cloudtrail';
import { compileRuleSet, loadBuiltinRules } from '@trailguard/sigma';
import { sharedPath } from '@trailguard/testing';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const targetLines = arg('lines', 200_000);
const rounds = arg('rounds', 5);

const corpus = readFileSync(sharedPath('datasets/combined/records.ndjson'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');
const lines: string[] = [];
while (lines.length < targetLines) lines.push(...corpus);
lines.length = targetLines;
const bytes = lines.reduce((n, l) => n + l.length, 0);

const docs = loadBuiltinRules();
const ruleSet = compileRuleSet(docs);

function parseOnly(from: number, to: number): number {
  let sink = 0;
  for (let i = from; i < to; i++) sink += (JSON.parse(lines[i]!) as { eventVersion?: string }).eventVersion ? 1 : 0;
  return sink;
}

function parseAndMatch(from: number, to: number): number {
  let matches = 0;
  for (let i = from; i < to; i++) matches += ruleSet.match(JSON.parse(lines[i]!) as object).length;
  return matches;
}

function parseAndClassify(from: number, to: number): number {
  let ok = 0;
  for (let i = from; i < to; i++) ok += classifyRecord(JSON.parse(lines[i]!)).ok ? 1 : 0;
  return ok;
}

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

// The machine is shared: instead of timing whole passes back to back, each round alternates the two
// loops over 10k-line blocks (order swapped every block), so load spikes hit both sides alike.
const BLOCK = 10_000;
parseOnly(0, lines.length); // warm-up: both loops run optimised code afterwards
parseAndMatch(0, lines.length);
parseAndClassify(0, lines.length);
const parseTimes: number[] = [];
const matchTimes: number[] = [];
const classifyTimes: number[] = [];
let matchCount = 0;
for (let r = 0; r < rounds; r++) {
  let parseMs = 0;
  let matchMs = 0;
  let classifyMs = 0;
  matchCount = 0;
  for (let from = 0, b = 0; from < lines.length; from += BLOCK, b++) {
    const to = Math.min(from + BLOCK, lines.length);
    const sides = b % 2 === 0 ? (['parse', 'match', 'classify'] as const) : (['classify', 'match', 'parse'] as const);
    for (const side of sides) {
      const t0 = now();
      if (side === 'parse') parseOnly(from, to);
      else if (side === 'match') matchCount += parseAndMatch(from, to);
      else parseAndClassify(from, to);
      const ms = now() - t0;
      if (side === 'parse') parseMs += ms;
      else if (side === 'match') matchMs += ms;
      else classifyMs += ms;
    }
  }
  parseTimes.push(parseMs);
  matchTimes.push(matchMs);
  classifyTimes.push(classifyMs);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const best = (xs: number[]): number => Math.min(...xs);
const parseRate = lines.length / (median(parseTimes) / 1000);
const matchRate = lines.length / (median(matchTimes) / 1000);
const ratios = parseTimes.map((p, i) => p / matchTimes[i]!);
console.log(
  `lines: ${lines.length} (${(bytes / 1e6).toFixed(1)} MB), rules: ${ruleSet.rules.length}, matches per pass: ${matchCount}, rounds: ${rounds}`,
);
console.log(
  `JSON.parse only:      ${Math.round(parseRate).toLocaleString('en-US')} events/s (median pass ${median(parseTimes).toFixed(0)} ms, best ${best(parseTimes).toFixed(0)} ms)`,
);
console.log(
  `JSON.parse + match(): ${Math.round(matchRate).toLocaleString('en-US')} events/s (median pass ${median(matchTimes).toFixed(0)} ms, best ${best(matchTimes).toFixed(0)} ms)`,
);
console.log(
  `ratio (parse+match rate / parse-only rate): median of rounds ${median(ratios).toFixed(3)} (per round ${ratios.map((x) => x.toFixed(3)).join(', ')}; from median passes ${(matchRate / parseRate).toFixed(3)})`,
);
const classifyRatios = parseTimes.map((p, i) => p / classifyTimes[i]!);
console.log(
  `reader checks (parse+classifyRecord rate / parse-only rate): median of rounds ${median(classifyRatios).toFixed(3)} (per round ${classifyRatios.map((x) => x.toFixed(3)).join(', ')})`,
);
