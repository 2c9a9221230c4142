/**
 * Webhook pipeline end to end, with the real workers: outbox rows (DomainEvent) -> webhooks.relay
 * -> webhooks.fanout -> webhooks.deliver (sign + send through the SSRF-safe agent) -> a node:http
 * receiver in a child process. Measures deliveries per second from the first outbox row to the
 * last receipt, and the per-message latency from outbox insert to receipt.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/9 \
 *     node -r @swc-node/register bench/webhooks-pipeline.bench.ts [--events 2000] [--endpoints 1] [--mode drain|live] [--rate N] [--timeout 120]
 *
 * --mode drain (default): the outbox rows are written first, then the workers start; the clock runs
 * from worker start to the last receipt (pipeline throughput from a backlog).
 * --mode live: the workers run while the rows are written (in this same process, in transactions
 * of 100); the clock runs from the first row, and latency is per message from its insert.
 *
 * A fresh database `trailguard_bench_webhooks_<pid>` is created on the DATABASE_URL server (dropped at
 * the end) and the Redis db given is flushed first (use one nobody else uses, or a redis-server of your own). Bounded by --events x --endpoints deliveries
 * and by --timeout seconds.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { loadConfig } from '@trailguard/config';
import { asTenantId, Database, prepareDatabase, TenantsRepository, WebhooksRepository } from '@trailguard/db';
import { generateWebhookSecret, SecretBox } from '@trailguard/webhooks';
import { startWorkers } from '@trailguard/worker-app';

// The receiver reports each message id with the time it arrived (its own clock = ours: same host).
const RECEIVER_SOURCE = `
const http = require('node:http');
let batch = [];
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    batch.push([req.headers['webhook-id'], Date.now()]);
    res.writeHead(204); res.end();
  });
});
setInterval(() => { if (batch.length) { process.send(batch); batch = []; } }, 50);
server.keepAliveTimeout = 10000;
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
process.on('disconnect', () => process.exit(0));
`;

function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.end();
}

async function main(): Promise<void> {
  const events = Number(arg('events', '2000'));
  const endpoints = Number(arg('endpoints', '1'));
  const timeoutMs = Number(arg('timeout', '120')) * 1000;
  const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/9';

  // Its own database per run: benches of several worktrees may share the server.
  const dbName = `trailguard_bench_webhooks_${process.pid}`;
  const ownerUrl = await freshDatabase(serverUrl, dbName);
  const { appUrl } = await prepareDatabase(ownerUrl, { appPassword: 'trailguard-app-test' });
  const flush = new Redis(redisUrl);
  await flush.flushdb();
  await flush.quit();

  const receiver: ChildProcess = fork('-e', [RECEIVER_SOURCE], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => receiver.once('message', (m) => resolve(Number(m))));
  // One message id per (event, endpoint) pair is the same webhook-id: key by id and endpoint path count.
  const arrivals = new Map<string, number>();
  let duplicates = 0;
  receiver.on('message', (m) => {
    if (!Array.isArray(m)) return;
    for (const [id, at] of m as Array<[string, number]>) {
      let n = 0;
      while (arrivals.has(`${id}#${n}`)) n++;
      if (n >= endpoints) duplicates++;
      else arrivals.set(`${id}#${n}`, at);
    }
  });

  const secretsKey = randomBytes(32);
  const db = new Database({ url: appUrl, poolSize: 4 });
  const tenantId = asTenantId(randomUUID());
  const repo = new WebhooksRepository();
  const box = new SecretBox({ current: { id: 'main', key: secretsKey } });
  await db.forTenant(tenantId, async (scope) => {
    await new TenantsRepository().create(scope, 'bench');
    for (let i = 0; i < endpoints; i++) {
      const e = await repo.createEndpoint(scope, {
        url: `http://127.0.0.1:${port}/hook/${i}`,
        eventTypes: [],
        minSeverity: 'informational',
      });
      await repo.addSecret(scope, e.id, box.encrypt(generateWebhookSecret(), e.id));
    }
  });

  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_RETRY_SCHEDULE: '1,1,1',
  });
  const mode = arg('mode', 'drain');
  let workers = mode === 'live' ? await startWorkers({ config, appDatabaseUrl: appUrl, redisUrl, secretsKey }) : undefined;

  // Outbox rows in transactions of 100, as a busy detection pipeline would write them.
  const insertedAt = new Map<string, number>();
  let started = Date.now();
  let cpuBefore = process.cpuUsage();
  // --rate N (live mode): N events a second in 10 transactions a second, to see latency below saturation.
  const rate = Number(arg('rate', '0'));
  const chunk = rate > 0 ? Math.max(1, Math.round(rate / 10)) : 100;
  for (let i = 0; i < events; i += chunk) {
    if (rate > 0) await new Promise((r) => setTimeout(r, Math.max(0, started + (i / rate) * 1000 - Date.now())));
    // One multi-row insert per transaction, as the set-based detection writes do: the writer must
    // not be what limits the offered rate.
    const ids = await db.forTenant(tenantId, async (scope) => {
      const data = [];
      for (let j = i; j < Math.min(events, i + chunk); j++) {
        data.push({ tenantId, type: 'finding.created', data: { id: randomUUID(), ruleId: 'bench', severity: 'high', seq: j } });
      }
      const rows = await scope.tx.domainEvent.createManyAndReturn({ data, select: { id: true } });
      return rows.map((r) => r.id);
    });
    const now = Date.now();
    for (const id of ids) insertedAt.set(`msg_${id}`, now);
  }
  const insertSeconds = (Date.now() - started) / 1000;
  if (!workers) {
    started = Date.now();
    cpuBefore = process.cpuUsage();
    for (const key of insertedAt.keys()) insertedAt.set(key, started);
    workers = await startWorkers({ config, appDatabaseUrl: appUrl, redisUrl, secretsKey });
  }

  const expected = events * endpoints;
  while (arrivals.size < expected && Date.now() - started < timeoutMs) await new Promise((r) => setTimeout(r, 50));
  const cpu = process.cpuUsage(cpuBefore);
  const lastArrival = Math.max(...arrivals.values());
  const seconds = (lastArrival - started) / 1000;
  const latencies = [...arrivals].map(([key, at]) => at - (insertedAt.get(key.split('#')[0]!) ?? started)).sort((a, b) => a - b);

  await workers.close();
  await db.close();
  receiver.disconnect();
  await dropDatabase(serverUrl, dbName);

  const result = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
    mode,
    rate: rate || 'unlimited',
    events,
    endpoints,
    delivered: arrivals.size,
    duplicates,
    expected,
    outboxInsertSeconds: Number(insertSeconds.toFixed(2)),
    seconds: Number(seconds.toFixed(2)),
    deliveriesPerSecond: Math.round(arrivals.size / seconds),
    // CPU of this process (API-less: workers + outbox writer) per delivery: steadier than wall time on a shared machine.
    cpuMsPerDelivery: Number(((cpu.user + cpu.system) / 1000 / Math.max(1, arrivals.size)).toFixed(2)),
    latencyMs: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), max: latencies.at(-1) },
  };
  console.log(JSON.stringify(result, null, 2));
  if (arrivals.size < expected) {
    console.error(`only ${arrivals.size} of ${expected} deliveries arrived within ${timeoutMs / 1000}s`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
