/**
 * End to end: N generated records uploaded through POST /v1/aws-accounts/:id/events (NDJSON,
 * gzip, in chunks), evaluated by the workers, folded into findings. Reports events/s from the
 * first upload until every event is evaluated.
 *   node -r @swc-node/register bench/pipeline.bench.ts [--records 1000000] [--chunk 20000]
 * Uses the embedded default under bench/out/pipeline-data (or DATABASE_URL / REDIS_URL).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { loadConfig } from '@trailguard/config';
import { createApiApp } from '@trailguard/api-app';
import { startWorkers } from '@trailguard/worker-app';
import { ensureInfrastructure } from '@trailguard/runtime';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RECORDS = arg('records', 1_000_000);
const CHUNK = arg('chunk', 20_000);

async function main(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    DATA_DIR: process.env.DATA_DIR ?? 'bench/out/pipeline-data',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000000',
    MAX_BODY_BYTES: String(64 * 1024 * 1024),
    PLATFORM_AWS_ACCOUNT_ID: process.env.PLATFORM_AWS_ACCOUNT_ID ?? '123456789012',
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
  const json = async (path: string, init: RequestInit) => {
    const res = await fetch(`${base}${path}`, init);
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, any>>;
  };
  const created = await json('/v1/tenants', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-admin-token': infra.adminToken },
    body: JSON.stringify({ name: `bench-${Date.now()}` }),
  });
  const auth = { authorization: `Bearer ${created.apiKey.key}` };
  const account = await json('/v1/aws-accounts', {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', regions: ['us-east-1'] }),
  });
  const tenantId = created.tenant.id as string;

  const sample = readFileSync(join(__dirname, '../../shared/datasets/combined/records.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const now = Date.now();
  const makeChunk = (from: number, to: number) =>
    gzipSync(
      Array.from({ length: to - from }, (_, k) => {
        const i = from + k;
        return JSON.stringify({
          ...sample[i % sample.length],
          eventID: randomUUID(),
          eventTime: new Date(now - (i % 86_400) * 1000).toISOString(),
        });
      }).join('\n'),
    );

  const owner = new Client({ connectionString: infra.ownerUrl });
  await owner.connect();
  const evaluated = async () =>
    Number((await owner.query('SELECT count(*)::int AS n FROM ingested_events WHERE tenant_id = $1', [tenantId])).rows[0].n);

  const started = Date.now();
  let uploadMs = 0;
  let accepted = 0;
  for (let from = 0; from < RECORDS; from += CHUNK) {
    const body = makeChunk(from, Math.min(RECORDS, from + CHUNK));
    const t0 = Date.now();
    const res = await fetch(`${base}/v1/aws-accounts/${account.id}/events`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      body,
    });
    if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
    uploadMs += Date.now() - t0;
    // Records the reader refuses (e.g. lowercase-key test logs of the datasets) are reported, not queued.
    accepted += ((await res.json()) as { accepted: number }).accepted;
  }
  const uploadedAt = Date.now();
  let done = await evaluated();
  while (done < accepted) {
    await new Promise((r) => setTimeout(r, 1000));
    done = await evaluated();
    process.stderr.write(`\r${done}/${accepted} evaluated`);
  }
  const seconds = (Date.now() - started) / 1000;
  const findings = (
    await owner.query('SELECT count(*)::int AS n, sum(event_count)::int AS e FROM findings WHERE tenant_id = $1', [tenantId])
  ).rows[0];
  console.log(`\nrecords: ${RECORDS}, upload calls: ${Math.ceil(RECORDS / CHUNK)} x ${CHUNK} (gzip NDJSON)`);
  console.log(`upload time (API accepted all): ${((uploadedAt - started) / 1000).toFixed(1)} s (${uploadMs} ms inside requests)`);
  console.log(`accepted: ${accepted} (the rest reported as malformed)`);
  console.log(`end to end: ${seconds.toFixed(1)} s = ${Math.round(accepted / seconds)} events/s`);
  console.log(`findings: ${findings.n} covering ${findings.e} matching events`);
  await owner.end();
  await workers.close();
  await app.close();
  await infra.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
