/**
 * Throughput through the public upload route of `npm start`, as a user sees it: a child process
 * runs `npm start` (embedded Postgres and redis-server under DATA_DIR unless DATABASE_URL /
 * REDIS_URL are set), this process uploads gzipped NDJSON bodies of --chunk records to
 * POST /v1/aws-accounts/:id/events and stops the clock when the workers have evaluated every
 * accepted event (trailguard_events_evaluated_total on /metrics).
 *
 *   node -r @swc-node/register bench/upload-http.bench.ts --mix realistic --records 200000
 *   node -r @swc-node/register bench/upload-http.bench.ts --mix attack --records 100000
 *   node -r @swc-node/register bench/upload-http.bench.ts --mix realistic --records 10000000 --report 1000000   # soak
 *
 * Mixes: `realistic` = 0.5 % of records match a built-in rule (records of the combined dataset
 * that match), the rest read-only noise that matches nothing; `attack` = the records of
 * ../shared/datasets/combined as they are (about 45 % match). Every record gets a fresh eventID
 * and a recent eventTime. Options: --port (3100), --data-dir (bench/out/upload-http-data),
 * --concurrency (uploads in flight, 2), --keep (leave the server running).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { OCSF_FIELD_ALIASES } from '@trailguard/cloudtrail';
import { compileRuleSet, loadBuiltinRules } from '@trailguard/sigma';

const { values } = parseArgs({
  options: {
    mix: { type: 'string', default: 'realistic' },
    records: { type: 'string', default: '200000' },
    chunk: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '2' },
    report: { type: 'string', default: '0' },
    port: { type: 'string', default: '3100' },
    'data-dir': { type: 'string', default: 'bench/out/upload-http-data' },
    keep: { type: 'boolean', default: false },
  },
});
const RECORDS = Number(values.records);
const CHUNK = Number(values.chunk);
const CONCURRENCY = Number(values.concurrency);
const REPORT = Number(values.report);
const BASE = `http://127.0.0.1:${values.port}`;
const ADMIN_TOKEN = process.env.ADMIN_TOKEN ?? `bench-${randomBytes(12).toString('hex')}`;

type Rec = Record<string, unknown>;

function records(): { match: Rec[]; noise: Rec[]; all: Rec[] } {
  const all = readFileSync(join(__dirname, '../../shared/datasets/combined/records.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec)
    .filter((r) => typeof r.eventName === 'string' && typeof r.eventSource === 'string');
  const rules = compileRuleSet(loadBuiltinRules(), { fieldAliases: OCSF_FIELD_ALIASES });
  const match = all.filter((r) => rules.match(r).length > 0);
  // Read-only noise: the dataset's Describe/Get/List calls that no rule matches.
  const noise = all.filter((r) => /^(Describe|Get|List|Lookup|Head)/.test(r.eventName as string) && rules.match(r).length === 0);
  return { match, noise, all };
}

function makeChunk(pick: (i: number) => Rec, from: number, to: number, now: number): Buffer {
  const lines: string[] = [];
  for (let i = from; i < to; i++) {
    lines.push(JSON.stringify({ ...pick(i), eventID: randomUUID(), eventTime: new Date(now - (i % 3600) * 1000).toISOString() }));
  }
  return gzipSync(lines.join('\n'), { level: 1 });
}

async function json(path: string, init: RequestInit = {}): Promise<any> {
  const res = await fetch(`${BASE}${path}`, init);
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function evaluatedTotal(): Promise<number> {
  const headers: Record<string, string> = process.env.METRICS_TOKEN ? { authorization: `Bearer ${process.env.METRICS_TOKEN}` } : {};
  let text = '';
  for (let attempt = 0; ; attempt++) {
    try {
      text = await (await fetch(`${BASE}/metrics`, { headers })).text();
      break;
    } catch (error) {
      // A kept-alive socket the server closed meanwhile: ask again on a new one.
      if (attempt >= 3) throw error;
    }
  }
  let n = 0;
  for (const m of text.matchAll(/^trailguard_events_(evaluated|duplicate)_total(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+\d+)?)$/gm))
    n += Number(m[2]);
  return n;
}

async function startServer(): Promise<ChildProcess> {
  // What `npm start` runs, without npm in between (so BENCH_NODE_ARGS such as --cpu-prof reach the server).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '-r', '@swc-node/register', 'apps/server/src/main.ts'], {
    env: {
      ...process.env,
      PORT: values.port,
      HOST: '127.0.0.1',
      DATA_DIR: values['data-dir'],
      ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000000',
      PLATFORM_AWS_ACCOUNT_ID: process.env.PLATFORM_AWS_ACCOUNT_ID ?? '123456789012',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${BASE}/healthz`)).status < 500) return child;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error('npm start did not listen within 180 s');
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main(): Promise<void> {
  const { match, noise, all } = records();
  const pick =
    values.mix === 'attack'
      ? (i: number) => all[i % all.length]!
      : // 1 record in 200 matches a rule (0.5 %), spread evenly.
        (i: number) => (i % 200 === 0 ? match[(i / 200) % match.length]! : noise[i % noise.length]!);
  console.log(`mix ${values.mix}: ${match.length} matching and ${noise.length} noise records of ${all.length} in the dataset`);

  const server = await startServer();
  const stop = async () => {
    if (values.keep || server.exitCode !== null) return;
    server.kill('SIGINT');
    await new Promise((r) => server.once('exit', r));
  };
  try {
    const created = await json('/v1/tenants', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-admin-token': ADMIN_TOKEN },
      body: JSON.stringify({ name: `bench-${Date.now()}` }),
    });
    const auth = { authorization: `Bearer ${created.apiKey.key}` };
    const account = await json('/v1/aws-accounts', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', regions: ['us-east-1'] }),
    });
    const now = Date.now();
    // Bodies are built before the clock starts: the bench measures the server, not gzip here.
    const prebuilt = Math.min(RECORDS, 50 * CHUNK);
    const bodies: Buffer[] = [];
    for (let from = 0; from < prebuilt; from += CHUNK) bodies.push(makeChunk(pick, from, Math.min(prebuilt, from + CHUNK), now));
    const base = await evaluatedTotal();

    let accepted = 0;
    let next = 0;
    const started = Date.now();
    let lastMark = { at: started, n: 0 };
    const upload = async () => {
      for (;;) {
        const from = next;
        if (from >= RECORDS) return;
        next += CHUNK;
        const body = bodies[(from / CHUNK) % bodies.length]!;
        // A reused body needs fresh ids: rebuild it when the run is longer than the prebuilt set.
        const send = from < prebuilt ? body : makeChunk(pick, from, Math.min(RECORDS, from + CHUNK), now);
        const res = await fetch(`${BASE}/v1/aws-accounts/${account.id}/events`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
          body: send,
        });
        if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
        accepted += ((await res.json()) as { accepted: number }).accepted;
        // Keep the queue from running away from the workers on long runs (a soak measures the steady state).
        while (accepted - ((await evaluatedTotal()) - base) > 200_000) await new Promise((r) => setTimeout(r, 200));
      }
    };
    const uploads = Promise.all(Array.from({ length: CONCURRENCY }, upload));
    let done = 0;
    let uploadsDone = false;
    void uploads.then(() => (uploadsDone = true));
    while (!uploadsDone || done < accepted) {
      await new Promise((r) => setTimeout(r, 250));
      done = (await evaluatedTotal()) - base;
      if (REPORT > 0 && done - lastMark.n >= REPORT) {
        const t = Date.now();
        console.log(
          `  ${done} evaluated: last ${done - lastMark.n} at ${Math.round(((done - lastMark.n) * 1000) / (t - lastMark.at))} events/s`,
        );
        lastMark = { at: t, n: done };
      }
    }
    await uploads;
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `records ${RECORDS}, accepted ${accepted}, ${Math.ceil(RECORDS / CHUNK)} uploads of ${CHUNK} (gzip NDJSON), concurrency ${CONCURRENCY}`,
    );
    console.log(`end to end: ${seconds.toFixed(1)} s = ${Math.round(accepted / seconds)} events/s`);
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
