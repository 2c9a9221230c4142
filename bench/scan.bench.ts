/**
 * Scanner throughput, one process, one corpus:
 *   (a) read the NDJSON corpus + JSON.parse (through @trailguard/cloudtrail's reader)
 *   (b) the same + the full built-in rule set's match() on every record
 * and the ratio b/a (product target: >= 0.70 on one core). A raw split+parse pass runs first: it
 * warms the page cache and is printed as a lower bound on the cost of reading.
 *
 *   node -r @swc-node/register bench/scan.bench.ts [--corpus bench/out/corpus-1m.ndjson] [--rounds 1]
 */
import { createReadStream, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { OCSF_FIELD_ALIASES, readFile } from '@trailguard/cloudtrail';
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

async function readPass(path: string, match?: (event: object) => number): Promise<Pass> {
  const start = now();
  let events = 0;
  let matches = 0;
  for await (const batch of readFile(path)) {
    events += batch.records.length;
    if (match) for (const record of batch.records) matches += match(record);
  }
  const pass: Pass = { events, seconds: now() - start };
  if (match) pass.matches = matches;
  return pass;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      corpus: { type: 'string', default: 'bench/out/corpus-1m.ndjson' },
      rounds: { type: 'string', default: '1' },
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

  let bestA: Pass | undefined;
  let bestB: Pass | undefined;
  for (let round = 1; round <= rounds; round++) {
    const a = await readPass(path);
    const b = await readPass(path, (event) => ruleSet.match(event).length);
    console.log(`round ${round}: (a) read + parse ${fmt(rate(a))} events/s (${a.seconds.toFixed(2)} s); (b) + match ${fmt(rate(b))} events/s (${b.seconds.toFixed(2)} s, ${fmt(b.matches ?? 0)} matches)`);
    if (!bestA || rate(a) > rate(bestA)) bestA = a;
    if (!bestB || rate(b) > rate(bestB)) bestB = b;
  }
  const a = bestA!;
  const b = bestB!;
  const ratio = rate(b) / rate(a);
  console.log('');
  console.log(`(a) read + JSON.parse:          ${fmt(rate(a))} events/s (${fmt(a.events)} events)`);
  console.log(`(b) read + JSON.parse + match:  ${fmt(rate(b))} events/s (${fmt(b.matches ?? 0)} rule matches)`);
  console.log(`ratio b/a: ${ratio.toFixed(2)} (target >= 0.70): ${ratio >= 0.7 ? 'MET' : 'NOT MET'}`);
  console.log(`match() alone: ${((b.seconds - a.seconds) / b.events * 1e6).toFixed(2)} us/event`);
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
