/**
 * Generates a large NDJSON CloudTrail corpus from the public sample records, for load tests and
 * benchmarks. Streamed: memory does not grow with --count.
 *
 *   node -r @swc-node/register bench/generate-corpus.ts --count 1000000 --out bench/out/corpus-1m.ndjson [--gzip]
 *
 * Every output record is a copy of a source record (chosen at random, so the source's record mix is
 * kept) with a fresh eventID (UUID), an eventTime spread over the window in increasing order, and
 * its account ids, principal name, region and source IP drawn from pools.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import { classifyRecord } from '@trailguard/cloudtrail';
import { sharedPath } from '@trailguard/testing';

const SOURCE_DEFAULT = sharedPath('datasets/combined/records.ndjson');
const REGIONS = [
  'us-east-1',
  'us-east-1',
  'us-east-1',
  'us-west-2',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'sa-east-1',
  'ca-central-1',
  'eu-north-1',
];
const TOKEN = (name: string): string => `@@TG_${name}@@`;
const TOKEN_SPLIT = /@@TG_([A-Z0-9]+)@@/;

/** Small seeded PRNG: corpora are reproducible from --seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = Record<string, unknown>;
/** A source record serialized once, split around the tokens that vary per copy. */
type Template = string[];

const isAccountId = (v: unknown): v is string => typeof v === 'string' && /^\d{12}$/.test(v);
const isIPv4 = (v: unknown): boolean => typeof v === 'string' && /^\d{1,3}(\.\d{1,3}){3}$/.test(v);
const isRegion = (v: unknown): boolean => typeof v === 'string' && /^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(v);

function toTemplate(record: Json): Template {
  const copy = JSON.parse(JSON.stringify(record)) as Json;
  copy['eventID'] = TOKEN('ID');
  if (copy['eventTime'] !== undefined) copy['eventTime'] = TOKEN('TIME');
  if (isRegion(copy['awsRegion'])) copy['awsRegion'] = TOKEN('REGION');
  if (isIPv4(copy['sourceIPAddress'])) copy['sourceIPAddress'] = TOKEN('IP');
  const identity = copy['userIdentity'] as Json | undefined;
  const arn = identity?.['arn'];
  if (identity && typeof arn === 'string') {
    // The last ARN segment is the user or the role session name; vary it where it is named.
    const name = arn.split('/').pop() ?? '';
    if (name.length >= 3 && name !== arn) {
      identity['arn'] = arn.slice(0, arn.length - name.length) + TOKEN('USER');
      if (identity['userName'] === name) identity['userName'] = TOKEN('USER');
      const principalId = identity['principalId'];
      if (typeof principalId === 'string' && principalId.endsWith(`:${name}`)) {
        identity['principalId'] = principalId.slice(0, principalId.length - name.length) + TOKEN('USER');
      }
    }
  }
  let text = JSON.stringify(copy);
  const accounts = [identity?.['accountId'], copy['recipientAccountId']].filter(isAccountId);
  [...new Set(accounts)].forEach((account, i) => {
    text = text.split(account).join(TOKEN(`ACCT${i}`));
  });
  return text.split(TOKEN_SPLIT);
}

async function loadTemplates(source: string): Promise<Template[]> {
  const templates: Template[] = [];
  const lines = createInterface({ input: createReadStream(source), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const value: unknown = JSON.parse(line);
    if (classifyRecord(value).ok) templates.push(toTemplate(value as Json));
  }
  return templates;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '1000000' },
      out: { type: 'string', default: 'bench/out/corpus-1m.ndjson' },
      gzip: { type: 'boolean', default: false },
      source: { type: 'string', default: SOURCE_DEFAULT },
      seed: { type: 'string', default: '1' },
      start: { type: 'string', default: '2026-11-01T00:00:00Z' },
      'window-hours': { type: 'string', default: '168' },
      accounts: { type: 'string', default: '12' },
      principals: { type: 'string', default: '150' },
      ips: { type: 'string', default: '5000' },
    },
  });
  const count = Number(values.count);
  const out = values.gzip && !values.out.endsWith('.gz') ? `${values.out}.gz` : values.out;
  const random = mulberry32(Number(values.seed));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const accounts = Array.from({ length: Number(values.accounts) }, () => String(100000000000 + Math.floor(random() * 899999999999)));
  const principals = Array.from({ length: Number(values.principals) }, (_, i) => `${pick(['svc', 'dev', 'ops', 'ci', 'analyst'])}-${i}`);
  const ips = Array.from(
    { length: Number(values.ips) },
    () =>
      `${pick([3, 18, 34, 52, 54, 81, 93, 145, 185, 198])}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`,
  );
  const start = Date.parse(values.start);
  const stepMs = (Number(values['window-hours']) * 3600_000) / Math.max(1, count);

  const templates = await loadTemplates(values.source);
  if (templates.length === 0) throw new Error(`no CloudTrail records in ${values.source}`);

  mkdirSync(dirname(out), { recursive: true });
  const file = createWriteStream(out);
  let sink: Writable = file;
  if (values.gzip) {
    const gzip = createGzip({ level: 6 });
    gzip.pipe(file);
    sink = gzip;
  }

  const began = Date.now();
  let chunk = '';
  for (let i = 0; i < count; i++) {
    const template = pick(templates);
    const time = new Date(start + Math.floor(i * stepMs)).toISOString().slice(0, 19) + 'Z';
    const acct0 = pick(accounts);
    // Mostly same-account activity, sometimes cross-account.
    const acct1 = random() < 0.9 ? acct0 : pick(accounts);
    const user = pick(principals);
    const region = pick(REGIONS);
    const ip = pick(ips);
    let line = template[0] ?? '';
    for (let t = 1; t < template.length; t += 2) {
      switch (template[t]) {
        case 'ID':
          line += randomUUID();
          break;
        case 'TIME':
          line += time;
          break;
        case 'REGION':
          line += region;
          break;
        case 'IP':
          line += ip;
          break;
        case 'USER':
          line += user;
          break;
        case 'ACCT0':
          line += acct0;
          break;
        case 'ACCT1':
          line += acct1;
          break;
        default:
          line += TOKEN(template[t] ?? '');
      }
      line += template[t + 1] ?? '';
    }
    chunk += line + '\n';
    if (chunk.length >= 1 << 20) {
      if (!sink.write(chunk)) await once(sink, 'drain');
      chunk = '';
    }
  }
  sink.end(chunk);
  await once(file, 'close');
  process.stderr.write(
    `wrote ${count} records from ${templates.length} templates to ${out} in ${((Date.now() - began) / 1000).toFixed(1)}s\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
