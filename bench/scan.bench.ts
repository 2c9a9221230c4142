/**
 * Scanner throughput, one process, one corpus:
 *   (a) read the NDJSON corpus + JSON.parse (through @trailguard/cloudtrail's reader)
 *   (b) the same + the full built-in rule set's match() on every record
 * and the ratio b/a (product target: >= 0.70 on one core). The corpus is cut into line-aligned
 * blocks and (a) and (b) alternate block by block, so load from other processes on a shared
 * machine hits both alike. A raw split+parse pass runs first (page cache, JIT), then one untimed
 * (b) pass over the first block (the matcher's JIT).
 *
 *   node -r @swc-node/register bench/scan.bench.ts [--corpus bench/out/corpus-1m.ndjson] [--rounds 1] [--blocks 20]
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { OCSF_FIELD_ALIASES, readStream } from '@trailguard/cloudtrail';
import { compileRuleSet, loadBuiltinRules } from '@trailguard/sigma';

interface Pass {
  events: number;
  seconds: number;
  matches?: number;
}

const rate = (pass: Pass): number => pass.events / pass.seconds;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const now = (): number => Number(process.hrtime.bigint()) / 1e9;

async function rawPass(path: string): Promise<Pass> {
  const start = now();
  let events = 0;
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    let from = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      if (nl > from) {
        JSON.parse(text.slice(from, nl));
        events++;
      }
      from = nl + 1;
      nl = text.indexOf('\n', from);
    }
    rest = text.slice(from);
  }
  return { events, seconds: now() - start };
}

/** Byte offsets cutting the file into about `count` blocks, each ending after a newline. */
function blockOffsets(path: string, size: number, count: number): number[] {
  const offsets = [0];
  const fd = openSync(path, 'r');
  const probe = Buffer.alloc(1 << 20);
  try {
    for (let i = 1; i < count; i++) {
      const guess = Math.floor((size * i) / count);
      if (guess <= offsets[offsets.length - 1]!) continue;
      const read = readSync(fd, probe, 0, probe.length, guess);
      const nl = probe.subarray(0, read).indexOf(10);
      if (nl !== -1 && guess + nl + 1 < size) offsets.push(guess + nl + 1);
    }
  } finally {
    closeSync(fd);
  }
  offsets.push(size);
  return [...new Set(offsets)];
}

async function readPass(path: string, start: number, end: number, match?: (event: object) => number): Promise<Pass> {
  const began = now();
  let events = 0;
  let matches = 0;
  const stream = createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 });
  for await (const batch of readStream(stream, path, { ndjson: true })) {
    events += batch.records.length;
    if (match) for (const record of batch.records) matches += match(record);
  }
  const pass: Pass = { events, seconds: now() - began };
  if (match) pass.matches = matches;
  return pass;
}

const add = (total: Pass, pass: Pass): void => {
  total.events += pass.events;
  total.seconds += pass.seconds;
  if (pass.matches !== undefined) total.matches = (total.matches ?? 0) + pass.matches;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      corpus: { type: 'string', default: 'bench/out/corpus-1m.ndjson' },
      rounds: { type: 'string', default: '1' },
      blocks: { type: 'string', default: '20' },
    },
  });
  const path = values.corpus;
  const rounds = Math.max(1, Number(values.rounds));
  const size = statSync(path).size;

  const compileStart = now();
  const docs = loadBuiltinRules();
  const ruleSet = compileRuleSet(docs, { fieldAliases: OCSF_FIELD_ALIASES });
  const compileSeconds = now() - compileStart;

  console.log(`node ${process.version}, ${cpus().length} cpu(s): ${cpus()[0]?.model ?? 'unknown'}`);
  console.log(`corpus ${path}: ${(size / 1048576).toFixed(0)} MiB`);
  console.log(`rules: ${ruleSet.rules.length} (${docs.length} documents), compiled in ${(compileSeconds * 1000).toFixed(0)} ms`);

  const raw = await rawPass(path);
  console.log(`raw split + JSON.parse (warm-up): ${fmt(raw.events)} events in ${raw.seconds.toFixed(2)} s = ${fmt(rate(raw))} events/s`);

  const offsets = blockOffsets(path, size, Math.max(1, Number(values.blocks)));
  // The matcher's JIT warm-up belongs to neither side.
  await readPass(path, offsets[0]!, offsets[1]!, (event) => ruleSet.match(event).length);
  const a: Pass = { events: 0, seconds: 0 };
  const b: Pass = { events: 0, seconds: 0, matches: 0 };
  const blockRatios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const roundA: Pass = { events: 0, seconds: 0 };
    const roundB: Pass = { events: 0, seconds: 0, matches: 0 };
    for (let i = 0; i + 1 < offsets.length; i++) {
      const pa = await readPass(path, offsets[i]!, offsets[i + 1]!);
      const pb = await readPass(path, offsets[i]!, offsets[i + 1]!, (event) => ruleSet.match(event).length);
      blockRatios.push(rate(pb) / rate(pa));
      add(roundA, pa);
      add(roundB, pb);
    }
    console.log(
      `round ${round}: (a) read + parse ${fmt(rate(roundA))} events/s (${roundA.seconds.toFixed(2)} s); (b) + match ${fmt(rate(roundB))} events/s (${roundB.seconds.toFixed(2)} s, ${fmt(roundB.matches ?? 0)} matches); b/a ${(rate(roundB) / rate(roundA)).toFixed(2)}`,
    );
    add(a, roundA);
    add(b, roundB);
  }
  const ratio = rate(b) / rate(a);
  const sorted = [...blockRatios].sort((x, y) => x - y);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log('');
  console.log(`blocks: ${offsets.length - 1} per round, (a) then (b) on each block`);
  console.log(`(a) read + JSON.parse:          ${fmt(rate(a))} events/s (${fmt(a.events)} events)`);
  console.log(`(b) read + JSON.parse + match:  ${fmt(rate(b))} events/s (${fmt(b.matches ?? 0)} rule matches)`);
  console.log(
    `ratio b/a: ${ratio.toFixed(2)} (target >= 0.70): ${ratio >= 0.7 ? 'MET' : 'NOT MET'}; per-block ratios min ${sorted[0]?.toFixed(2)} median ${median.toFixed(2)} max ${sorted[sorted.length - 1]?.toFixed(2)}`,
  );
  console.log(`match() alone: ${(((b.seconds - a.seconds) / b.events) * 1e6).toFixed(2)} us/event`);
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
