/**
 * GET /v1/findings latency with 1M stored findings under concurrent requests.
 *   node -r @swc-node/register bench/findings-api.bench.ts [--findings 1000000] [--connections 16] [--seconds 10]
 * Uses the embedded default under bench/out/findings-data (or DATABASE_URL / REDIS_URL), seeds one
 * tenant with N findings straight in SQL, then drives the real API with autocannon.
 */
import autocannon from 'autocannon';
import { Client } from 'pg';
import { loadConfig } from '@trailguard/config';
import { createApiApp } from '@trailguard/api-app';
import { ensureInfrastructure } from '@trailguard/runtime';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const FINDINGS = arg('findings', 1_000_000);
const CONNECTIONS = arg('connections', 16);
const SECONDS = arg('seconds', 10);

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, DATA_DIR: process.env.DATA_DIR ?? 'bench/out/findings-data', LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '100000000' });
  const infra = await ensureInfrastructure(config);
  const app = await createApiApp({ config, appDatabaseUrl: infra.appUrl, redisUrl: infra.redisUrl, adminToken: infra.adminToken, secretsKey: infra.secretsKey });
  await app.listen(0, '127.0.0.1');
  const base = await app.getUrl();
  const created = await (await fetch(`${base}/v1/tenants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-admin-token': infra.adminToken },
    body: JSON.stringify({ name: `bench-${Date.now()}` }),
  })).json() as { tenant: { id: string }; apiKey: { key: string } };
  const tenantId = created.tenant.id;

  const owner = new Client({ connectionString: infra.ownerUrl });
  await owner.connect();
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
  await owner.end();
  console.log(`seeded ${FINDINGS} findings in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

  const headers = { authorization: `Bearer ${created.apiKey.key}` };
  const page1 = await (await fetch(`${base}/v1/findings?limit=50`, { headers })).json() as { nextCursor: string };
  const scenarios: Array<[string, string]> = [
    ['newest 50', '/v1/findings?limit=50'],
    ['status=open&severity=high', '/v1/findings?limit=50&status=open&severity=high'],
    ['second page (cursor)', `/v1/findings?limit=50&cursor=${page1.nextCursor}`],
    ['by actor', '/v1/findings?limit=50&actor=arn:aws:iam::111122223333:user/u42'],
  ];
  console.log(`| query | connections | requests/s | p50 ms | p99 ms | non-2xx |`);
  console.log(`|---|---:|---:|---:|---:|---:|`);
  for (const [name, path] of scenarios) {
    const result = await autocannon({ url: `${base}${path}`, headers, connections: CONNECTIONS, duration: SECONDS });
    console.log(`| ${name} | ${CONNECTIONS} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p99} | ${result.non2xx} |`);
  }
  await app.close();
  await infra.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
