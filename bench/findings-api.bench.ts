/**
 * GET /v1/findings latency with 1M stored findings under concurrent requests.
 *   node -r @swc-node/register bench/findings-api.bench.ts [--findings 1000000] [--connections 16] [--seconds 10] [--only <label prefix>]
 * Uses the embedded default under bench/out/findings-data (or DATABASE_URL / REDIS_URL), seeds one
 * tenant with N findings straight in SQL (kept and reused by later runs on the same DATA_DIR),
 * then drives the real API with autocannon: list, filters, second page, detail.
 */
import type autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { loadConfig } from '@trailguard/config';
import { createApiApp } from '@trailguard/api-app';
import { ensureInfrastructure } from '@trailguard/runtime';
import { sharedPath } from '@trailguard/testing';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const FINDINGS = arg('findings', 1_000_000);
const CONNECTIONS = arg('connections', 16);
const SECONDS = arg('seconds', 10);

/**
 * autocannon runs in a child process, so the load generator does not share the API's thread and
 * this process's CPU time is the API's alone (reported per request: steadier than requests/s on
 * a shared machine).
 */
const CANNON_SOURCE = `
const autocannon = require('autocannon');
process.once('message', async (opts) => { process.send(await autocannon(opts)); process.disconnect(); });
`;

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  const child = fork('-e', [CANNON_SOURCE], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as autocannon.Result));
    child.once('error', reject);
    child.send(opts);
  });
}

async function seed(base: string, adminToken: string, owner: Client, name: string): Promise<string> {
  const created = (await (
    await fetch(`${base}/v1/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-admin-token': adminToken },
      body: JSON.stringify({ name }),
    })
  ).json()) as { tenant: { id: string } };
  const tenantId = created.tenant.id;
  const seedStart = Date.now();
  const account = await owner.query(
    `INSERT INTO aws_accounts (id, tenant_id, name, external_id, status, regions, updated_at)
     VALUES (gen_random_uuid(), $1, 'bench', 'tg-bench-' || gen_random_uuid(), 'active', '{us-east-1}', now()) RETURNING id`,
    [tenantId],
  );
  // Varied status, severity, rule and time, like a year of findings.
  await owner.query(
    `INSERT INTO findings (id, tenant_id, kind, rule_id, rule_title, severity, status, account_id, actor, window_start,
                           tags, event_count, first_seen_at, last_seen_at, created_at, updated_at)
     SELECT gen_random_uuid(), $1, 'detection', 'rule-' || (i % 59), 'Rule ' || (i % 59),
            (ARRAY['informational','low','medium','high','critical'])[1 + i % 5]::"Severity",
            (ARRAY['open','acknowledged','resolved','false_positive','suppressed'])[1 + (i / 7) % 5]::"FindingStatus",
            $2, 'arn:aws:iam::111122223333:user/u' || (i % 5000), now() - (i || ' seconds')::interval,
            '{attack.t1562.008}', 1 + i % 10, now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval,
            now() - (i || ' seconds')::interval, now()
     FROM generate_series(1, $3::int) AS i`,
    [tenantId, account.rows[0].id, FINDINGS],
  );
  await owner.query('ANALYZE findings');
  console.log(`seeded ${FINDINGS} findings in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
  return tenantId;
}

async function main(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    DATA_DIR: process.env.DATA_DIR ?? 'bench/out/findings-data',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000000',
  });
  const infra = await ensureInfrastructure(config);
  const app = await createApiApp({
    config,
    appDatabaseUrl: infra.appUrl,
    redisUrl: infra.redisUrl,
    adminToken: infra.adminToken,
    secretsKey: infra.secretsKey,
  });
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();

  const owner = new Client({ connectionString: infra.ownerUrl });
  await owner.connect();
  const name = `bench-findings-${FINDINGS}`;
  // A tenant of this name, or (data seeded by an older version of this bench) one holding N findings.
  const existing = await owner.query<{ id: string }>(
    `SELECT id FROM tenants WHERE name = $1
     UNION ALL (SELECT tenant_id FROM findings GROUP BY tenant_id HAVING count(*) = $2) LIMIT 1`,
    [name, FINDINGS],
  );
  let tenantId = existing.rows[0]?.id;
  if (tenantId) console.log(`reusing tenant ${name} (${tenantId})`);
  else tenantId = await seed(base, infra.adminToken, owner, name);
  const key = `tg_bench_${randomBytes(24).toString('base64url')}`;
  await owner.query(
    `INSERT INTO api_keys (id, tenant_id, name, role, prefix, secret_hash) VALUES (gen_random_uuid(), $1, 'bench', 'admin', $2, $3)`,
    [tenantId, key.slice(0, 11), createHash('sha256').update(key).digest('hex')],
  );

  const headers = { authorization: `Bearer ${key}` };
  const page1 = (await (await fetch(`${base}/v1/findings?limit=50`, { headers })).json()) as {
    nextCursor: string;
    data: Array<{ id: string }>;
  };
  const detailId = page1.data[0]!.id;
  // The detail reads up to 20 evidence records: the newest finding gets 20 real CloudTrail records.
  const sample = readFileSync(sharedPath('datasets/combined/records.ndjson'), 'utf8')
    .split('\n')
    .find((l) => l.includes('eventName'))!;
  await owner.query(
    `INSERT INTO finding_events (tenant_id, finding_id, event_id, event_time, record)
     SELECT $1, $2, 'bench-' || i, now() - (i || ' seconds')::interval, $3::jsonb FROM generate_series(1, 20) AS i
     ON CONFLICT DO NOTHING`,
    [tenantId, detailId, sample],
  );
  await owner.end();

  const scenarios: Array<[string, string]> = [
    ['newest 50', '/v1/findings?limit=50'],
    ['status=open&severity=high', '/v1/findings?limit=50&status=open&severity=high'],
    ['second page (cursor)', `/v1/findings?limit=50&cursor=${page1.nextCursor}`],
    ['by actor', '/v1/findings?limit=50&actor=arn:aws:iam::111122223333:user/u42'],
    ['detail (20 evidence records)', `/v1/findings/${detailId}`],
  ];
  const only = process.argv.indexOf('--only') > 0 ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  console.log(`| query | connections | requests/s | p50 ms | p99 ms | non-2xx | API CPU ms/request |`);
  console.log(`|---|---:|---:|---:|---:|---:|---:|`);
  for (const [label, path] of scenarios) {
    if (only && !label.startsWith(only)) continue;
    const cpu = process.cpuUsage();
    const result = await cannon({ url: `${base}${path}`, headers, connections: CONNECTIONS, duration: SECONDS });
    const used = process.cpuUsage(cpu);
    const perRequest = (used.user + used.system) / 1000 / Math.max(1, result.requests.total);
    console.log(
      `| ${label} | ${CONNECTIONS} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${result.non2xx} | ${perRequest.toFixed(2)} |`,
    );
  }
  console.log(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  await app.close();
  await infra.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
