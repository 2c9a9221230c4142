/**
 * Database size per million events, before and after retention. Runs the API and workers in this
 * process on the embedded default (bench/out/storage-data), uploads --records realistic events
 * (0.5 % match a rule) as gzipped NDJSON through POST /v1/aws-accounts/:id/events, waits until
 * every one is evaluated, prints the size of each growing table, then runs the retention job as of
 * --days-later days ahead (default: the de-duplication window and delivery retention have both
 * passed) and prints the sizes again.
 *   node -r @swc-node/register bench/storage.bench.ts --records 1000000
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { createApiApp } from '@trailguard/api-app';
import { OCSF_FIELD_ALIASES } from '@trailguard/cloudtrail';
import { loadConfig } from '@trailguard/config';
import { Database } from '@trailguard/db';
import { ensureInfrastructure } from '@trailguard/runtime';
import { compileRuleSet, loadBuiltinRules } from '@trailguard/sigma';
import { MaintenanceRetentionProcessor, startWorkers } from '@trailguard/worker-app';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    chunk: { type: 'string', default: '10000' },
    'days-later': { type: 'string', default: '31' },
  },
});
const RECORDS = Number(values.records);
const CHUNK = Number(values.chunk);
const TABLES = [
  'ingested_events',
  'domain_events',
  'findings',
  'finding_events',
  'finding_activity',
  'webhook_deliveries',
  'webhook_attempts',
];

async function sizes(owner: Client): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    // A partitioned table's size is the sum over its partitions (pg_partition_tree includes the parent).
    const r = await owner.query(
      'SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::bigint AS b FROM pg_partition_tree($1::regclass)',
      [t],
    );
    out[t] = Number(r.rows[0].b);
  }
  out.database = Number((await owner.query('SELECT pg_database_size(current_database())::bigint AS b')).rows[0].b);
  return out;
}

async function main(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    DATA_DIR: process.env.DATA_DIR ?? 'bench/out/storage-data',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000000',
    PLATFORM_AWS_ACCOUNT_ID: '123456789012',
  });
  const infra = await ensureInfrastructure(config);
  const runtime = {
    config,
    appDatabaseUrl: infra.appUrl,
    redisUrl: infra.redisUrl,
    adminToken: infra.adminToken,
    secretsKey: infra.secretsKey,
  };
  const app = await createApiApp(runtime);
  await app.listen(0, '127.0.0.1');
  const workers = await startWorkers(runtime);
  const base = await app.getUrl();
  const owner = new Client({ connectionString: infra.ownerUrl });
  await owner.connect();
  try {
    const post = async (path: string, headers: Record<string, string>, body: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, any>>;
    };
    const tenant = await post('/v1/tenants', { 'x-admin-token': infra.adminToken }, { name: `storage-${Date.now()}` });
    const auth = { authorization: `Bearer ${tenant.apiKey.key}` };
    const account = await post('/v1/aws-accounts', auth, { name: 'bench', regions: ['us-east-1'] });

    const all = readFileSync(join(__dirname, '../../shared/datasets/combined/records.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => typeof r.eventName === 'string' && typeof r.eventSource === 'string');
    const rules = compileRuleSet(loadBuiltinRules(), { fieldAliases: OCSF_FIELD_ALIASES });
    const match = all.filter((r) => rules.match(r).length > 0);
    const noise = all.filter((r) => /^(Describe|Get|List|Lookup|Head)/.test(r.eventName as string) && rules.match(r).length === 0);
    const now = Date.now();
    const before = await sizes(owner);
    const started = Date.now();
    for (let from = 0; from < RECORDS; from += CHUNK) {
      const lines: string[] = [];
      for (let i = from; i < Math.min(RECORDS, from + CHUNK); i++) {
        const r = i % 200 === 0 ? match[(i / 200) % match.length]! : noise[i % noise.length]!;
        lines.push(JSON.stringify({ ...r, eventID: randomUUID(), eventTime: new Date(now - (i % 3600) * 1000).toISOString() }));
      }
      const res = await fetch(`${base}/v1/aws-accounts/${account.id}/events`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
        body: gzipSync(lines.join('\n'), { level: 1 }),
      });
      if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
    }
    const count = async () => Number((await owner.query('SELECT count(*)::bigint AS n FROM ingested_events')).rows[0].n);
    while ((await count()) < RECORDS) await new Promise((r) => setTimeout(r, 1000));
    // Let the outbox relay and fan-out settle, so published domain events can expire.
    await new Promise((r) => setTimeout(r, 5000));
    const seconds = (Date.now() - started) / 1000;
    const loaded = await sizes(owner);
    const db = new Database({ url: infra.appUrl, poolSize: 2 });
    const retention = new MaintenanceRetentionProcessor(db, runtime);
    const outcome = await retention.run(new Date(Date.now() + Number(values['days-later']) * 24 * 3600_000));
    await db.close();
    await owner.query('VACUUM');
    const after = await sizes(owner);
    const perMillion = (b: number) => `${((b / 1048576) * (1_000_000 / RECORDS)).toFixed(1)} MiB`;
    console.log(
      `${RECORDS} realistic events evaluated in ${seconds.toFixed(1)} s; retention as of ${values['days-later']} days later dropped ${JSON.stringify(outcome.dropped)}`,
    );
    console.log('| table | growth per million events | after retention, per million |');
    console.log('|---|---:|---:|');
    for (const t of [...TABLES, 'database']) {
      console.log(`| ${t} | ${perMillion(loaded[t]! - before[t]!)} | ${perMillion(Math.max(0, after[t]! - before[t]!))} |`);
    }
  } finally {
    await owner.end();
    await workers.close();
    await app.close();
    await infra.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
