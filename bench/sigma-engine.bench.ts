/**
 * Sigma engine throughput: JSON.parse alone vs JSON.parse + RuleSet.match() with the full built-in
 * library, over the combined corpus repeated in memory to ~200k lines, in one process and one run.
 *
 *   node -r @swc-node/register bench/sigma-engine.bench.ts [--lines 200000] [--rounds 3]
 */
import { readFileSync } from 'node:fs';
import { compileRuleSet, loadBuiltinRules } from '@trailguard/sigma';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const targetLines = arg('lines', 200_000);
const rounds = arg('rounds', 3);

const corpus = readFileSync('/work/shared/datasets/combined/records.ndjson', 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');
const lines: string[] = [];
while (lines.length < targetLines) lines.push(...corpus);
lines.length = targetLines;
const bytes = lines.reduce((n, l) => n + l.length, 0);

const docs = loadBuiltinRules();
const ruleSet = compileRuleSet(docs);

function parseOnly(): number {
  let sink = 0;
  for (const line of lines) sink += (JSON.parse(line) as { eventVersion?: string }).eventVersion ? 1 : 0;
  return sink;
}

function parseAndMatch(): number {
  let matches = 0;
  for (const line of lines) matches += ruleSet.match(JSON.parse(line) as object).length;
  return matches;
}

function time(fn: () => number): { ms: number; result: number } {
  const start = process.hrtime.bigint();
  const result = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

// Warm-up so both loops run optimised code, then alternate to share machine noise fairly.
parseOnly();
parseAndMatch();
const parseTimes: number[] = [];
const matchTimes: number[] = [];
let matchCount = 0;
for (let r = 0; r < rounds; r++) {
  parseTimes.push(time(parseOnly).ms);
  const m = time(parseAndMatch);
  matchTimes.push(m.ms);
  matchCount = m.result;
}
const best = (xs: number[]): number => Math.min(...xs);
const parseRate = lines.length / (best(parseTimes) / 1000);
const matchRate = lines.length / (best(matchTimes) / 1000);
console.log(`lines: ${lines.length} (${(bytes / 1e6).toFixed(1)} MB), rules: ${ruleSet.rules.length}, matches per pass: ${matchCount}`);
console.log(`JSON.parse only:          ${Math.round(parseRate).toLocaleString('en-US')} events/s (best of ${rounds}: ${best(parseTimes).toFixed(0)} ms; all ${parseTimes.map((t) => t.toFixed(0)).join(', ')})`);
console.log(`JSON.parse + match():     ${Math.round(matchRate).toLocaleString('en-US')} events/s (best of ${rounds}: ${best(matchTimes).toFixed(0)} ms; all ${matchTimes.map((t) => t.toFixed(0)).join(', ')})`);
console.log(`ratio (with match / parse only): ${(matchRate / parseRate).toFixed(3)}`);
