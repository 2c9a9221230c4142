/**
 * Which built-in rules match most often on the public datasets: the measurement behind the
 * rules shipped "enabled but not alerting" by default (libs/detection/src/quiet-rules.ts).
 *   node -r @swc-node/register bench/rule-noise.ts [records.ndjson]
 */
import { readFileSync } from 'node:fs';
import { OCSF_FIELD_ALIASES } from '@trailguard/cloudtrail';
import { builtinRules } from '@trailguard/detection';
import { compileRuleSet } from '@trailguard/sigma';
import { sharedPath } from '@trailguard/testing';

const file = process.argv[2] ?? sharedPath('datasets/combined/records.ndjson');
const records = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim().length > 0)
  .map((l) => JSON.parse(l) as Record<string, unknown>);
const ruleSet = compileRuleSet(builtinRules(), { fieldAliases: OCSF_FIELD_ALIASES, expand: () => [] });
const counts = new Map<string, { title: string; level: string; n: number }>();
let total = 0;
for (const r of records) {
  for (const m of ruleSet.match(r).filter((x) => x.report)) {
    total++;
    const c = counts.get(m.ruleId) ?? { title: m.ruleTitle, level: m.level ?? '-', n: 0 };
    c.n++;
    counts.set(m.ruleId, c);
  }
}
console.log(`${records.length} records, ${total} matches, ${counts.size} rules matched (${file})`);
for (const [id, c] of [...counts.entries()].sort((a, b) => b[1].n - a[1].n)) {
  console.log(`${String(c.n).padStart(5)} ${((100 * c.n) / total).toFixed(1).padStart(5)}%  ${c.level.padEnd(8)} ${c.title}  (${id})`);
}
