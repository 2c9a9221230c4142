/**
 * Scale-out: one API and three worker processes (the real `start:api` / `start:worker` entry
 * points) on a 6-node Redis Cluster (3 masters, 3 replicas) and the test Postgres. The attack
 * story and a multi-tenant upload run together while a worker is killed with SIGKILL and a Redis
 * master is failed over (CLUSTER FAILOVER on its replica, then SIGKILL of the old master).
 * SCALE_RECORDS sets the upload size: default 20,000 (four tenants of 5,000), because the shared
 * 2-core machine evaluates about 100 events/s under its usual load; 200000 is the figure
 * and takes about ten times as long.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { Agent, setGlobalDispatcher } from 'undici';
import { clusterTarget, JobQueue, queuePrefix, redisConnection, shardOf } from '@trailguard/queues';
import { AWS_SDK_ENV_VARS, AwsSimulator } from '@trailguard/testing';
import { ApiClient } from '../../scripts/demo/api-client';
import { announcedFindingIds, expectedFindings, runStory, type StoryResult } from '../../scripts/demo/story';
import { WebhookReceiver } from '../../scripts/demo/webhook-receiver';
import { corpus, findingSignature, ingestedCount } from '../support/faults';
import { eventually, insertAccount, updateTrailRecord } from '../support/fixtures';
import { testEnv } from '../support/test-env';
import { cpuSeconds, startAppProcess, stopAppProcess, type AppProcess } from './app-processes';
import { LocalRedisCluster } from './redis-cluster';

const RECORDS = Number(process.env.SCALE_RECORDS ?? 20_000);
const TENANTS = 4; // one reference tenant (undisturbed), three uploaded while things break
const PER_TENANT = Math.floor(RECORDS / TENANTS);
const SHARDS = 4;
const BASE_PORT = Number(process.env.SCALE_REDIS_BASE_PORT ?? 3801);
const API_PORT = Number(process.env.SCALE_API_PORT ?? 3810);
const CHUNK = 10_000;

const shape = (f: { kind: string; ruleTitle: string; severity: string; status: string; actor: string; eventCount: number }) =>
  `${f.kind} | ${f.ruleTitle} | ${f.severity} | ${f.status} | ${f.actor} | ${f.eventCount}`;

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: testEnv().ownerUrl });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

describe('scale-out on a Redis Cluster with failover', () => {
  let cluster: LocalRedisCluster;
  let sim: AwsSimulator;
  let dataDir: string;
  let queue: JobQueue;
  const processes: AppProcess[] = [];
  const receivers: WebhookReceiver[] = [];
  const adminToken = `scale-operator-${randomBytes(12).toString('hex')}`;
  let env: Record<string, string>;
  const apiUrl = `http://127.0.0.1:${API_PORT}`;
  const log = (line: string) => console.log(`[scale ${new Date().toISOString().slice(11, 19)}] ${line}`);

  beforeAll(async () => {
    // Short-lived keep-alive sockets: on a machine this loaded, a socket idle near the server's
    // 5 s keep-alive timeout can be reused just as the server closes it ("other side closed").
    setGlobalDispatcher(new Agent({ keepAliveTimeout: 1000, keepAliveTimeoutThreshold: 500 }));
    dataDir = await mkdtemp(join(tmpdir(), 'tg-scale-'));
    cluster = await LocalRedisCluster.start({ dir: join(dataDir, 'redis'), basePort: BASE_PORT });
    log(`Redis Cluster up: ${cluster.seedNodes}`);
    sim = new AwsSimulator();
    await sim.start();
    const platform = sim.createPlatformAccount({ accountId: '999988887777' });
    // The story's customer side (this process) reaches the simulator through the SDK's standard settings too.
    for (const k of AWS_SDK_ENV_VARS) delete process.env[k];
    Object.assign(process.env, { AWS_ENDPOINT_URL: sim.endpoint, AWS_REGION: 'us-east-1' });
    const t = testEnv();
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATA_DIR: join(dataDir, 'app'),
      DATABASE_URL: t.ownerUrl,
      // The run's application role as it is: the processes must not re-key a role other runs share.
      DATABASE_APP_URL: t.appUrl,
      REDIS_CLUSTER_NODES: cluster.seedNodes,
      DETECT_QUEUE_SHARDS: String(SHARDS),
      ADMIN_TOKEN: adminToken,
      SECRETS_KEY: t.secretsKey.toString('base64'),
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      POLL_INTERVAL_SECONDS: '1',
      POSTURE_INTERVAL_SECONDS: '3600',
      WORKER_LOCK_SECONDS: '5',
      RATE_LIMIT_PER_MINUTE: '100000',
      MAX_BODY_BYTES: String(50 * 1024 * 1024),
      PORT: String(API_PORT),
      HOST: '127.0.0.1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_ENDPOINT_URL: sim.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: platform.accessKeyId,
      AWS_SECRET_ACCESS_KEY: platform.secretAccessKey,
    };
    const api = startAppProcess('api', 'api', env);
    processes.push(api);
    await api.ready;
    for (const n of [1, 2]) processes.push(startAppProcess('worker', `worker-${n}`, env));
    await Promise.all(processes.map((p) => p.ready));
    queue = new JobQueue(redisConnection(clusterTarget(cluster.seedNodes)), { detectShards: SHARDS });
    log('api and two workers ready');
  }, 240_000);

  afterAll(async () => {
    // A process that died on its own is the first thing to look at when this suite fails.
    for (const p of processes) {
      if (p.child.exitCode !== null) console.log(`${p.name} exited ${p.child.exitCode}:\n${p.output.join('').slice(-4000)}`);
    }
    await Promise.all(processes.map((p) => stopAppProcess(p).catch(() => undefined)));
    await queue?.close();
    await Promise.all(receivers.map((r) => r.close()));
    await sim?.stop();
    await cluster?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function tenant(
    name: string,
  ): Promise<{ tenantId: string; api: ApiClient; accountId: string; receiver: WebhookReceiver; webhookId: string }> {
    const created = await new ApiClient(apiUrl).post<{ tenant: { id: string }; apiKey: { key: string } }>(
      '/v1/tenants',
      { name },
      { headers: { 'x-admin-token': adminToken } },
    );
    const api = new ApiClient(apiUrl, created.apiKey.key);
    const accountId = await insertAccount(created.tenant.id, `${name} account`);
    const receiver = await WebhookReceiver.start();
    receivers.push(receiver);
    const hook = await api.post<{ id: string; secret: string }>('/v1/webhooks', {
      url: receiver.url,
      minSeverity: 'high',
      eventTypes: ['finding.created'],
    });
    receiver.useSecret(hook.secret);
    return { tenantId: created.tenant.id, api, accountId, receiver, webhookId: hook.id };
  }

  async function upload(t: { api: ApiClient; accountId: string }, records: object[]): Promise<number> {
    let accepted = 0;
    for (let i = 0; i < records.length; i += CHUNK) {
      const body = gzipSync(
        records
          .slice(i, i + CHUNK)
          .map((r) => JSON.stringify(r))
          .join('\n'),
      );
      const res = await fetch(`${apiUrl}/v1/aws-accounts/${t.accountId}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.api.apiKey}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
        body,
      });
      const out = (await res.json()) as { accepted?: number; error?: unknown };
      if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${JSON.stringify(out)}`);
      accepted += out.accepted ?? 0;
    }
    return accepted;
  }

  async function idle(): Promise<boolean> {
    const d = await queue.counts('detect', 'waiting', 'active', 'prioritized', 'delayed');
    const w = await queue.counts('webhooks', 'waiting', 'active', 'prioritized', 'delayed');
    return Object.values(d).every((n) => n === 0) && (w.waiting ?? 0) + (w.active ?? 0) + (w.prioritized ?? 0) === 0;
  }

  it(`runs the story and ${TENANTS * PER_TENANT} uploaded events on ${SHARDS} detection shards through a worker kill and a Redis failover`, async () => {
    // One schedule per periodic job for the whole installation, whatever the number of worker processes.
    const schedules = async () =>
      (await Promise.all(['ingest', 'webhooks'].map((q) => queue.queue(q).getJobSchedulers()))).flat().map((s) => s.key);
    const scheduled = await schedules();
    expect(scheduled).toContain('ingest.schedule');
    expect(new Set(scheduled).size).toBe(scheduled.length);
    // A process that splits detection differently refuses to start, naming the variable.
    const odd = startAppProcess('worker', 'odd-worker', { ...env, DETECT_QUEUE_SHARDS: String(SHARDS + 1) });
    expect(await odd.exited).not.toBe(0);
    expect(odd.output.join('')).toMatch(/DETECT_QUEUE_SHARDS is 5 here but 4 for the other processes/);

    const records = corpus(PER_TENANT);
    const tenants: Array<Awaited<ReturnType<typeof tenant>>> = [];
    for (let i = 0; i < TENANTS; i++) tenants.push(await tenant(`scale-${i}`));
    const quiet = await tenant('scale-quiet');
    const [reference, ...loaded] = tenants as [Awaited<ReturnType<typeof tenant>>, ...Array<Awaited<ReturnType<typeof tenant>>>];
    log(`tenants on shards ${tenants.map((t) => shardOf(t.tenantId, SHARDS)).join(', ')}`);

    // 1. The reference tenant alone and undisturbed: its findings are the expected ones; its costs are
    // measured (after 10 s of idle, the background's own Redis traffic: schedules, stalled-job checks).
    const idleFrom = await cluster.commandCalls();
    await new Promise((done) => setTimeout(done, 10_000));
    const idleTo = await cluster.commandCalls();
    const idleRedisPerSecond = Object.entries(idleTo).reduce((s, [k, v]) => s + v - (idleFrom[k] ?? 0), 0) / 10;
    const before = {
      redis: await cluster.commandCalls(),
      pg: (
        await sql<{ xact: string; ins: string; upd: string; del: string }>(
          'SELECT xact_commit::text AS xact, tup_inserted::text AS ins, tup_updated::text AS upd, tup_deleted::text AS del FROM pg_stat_database WHERE datname = current_database()',
        )
      )[0]!,
      cpu: await Promise.all(processes.map((p) => cpuSeconds(p.child.pid))),
      at: Date.now(),
    };
    // The corpus holds some records the reader refuses (reported by position): what counts is what was accepted.
    const accepted = await upload(reference, records);
    expect(accepted).toBeGreaterThan(PER_TENANT * 0.9);
    await eventually(
      () => ingestedCount(reference.tenantId),
      (n) => n === accepted,
      600_000,
    );
    await eventually(idle, Boolean, 300_000);
    const after = {
      redis: await cluster.commandCalls(),
      pg: (
        await sql<{ xact: string; ins: string; upd: string; del: string }>(
          'SELECT xact_commit::text AS xact, tup_inserted::text AS ins, tup_updated::text AS upd, tup_deleted::text AS del FROM pg_stat_database WHERE datname = current_database()',
        )
      )[0]!,
      cpu: await Promise.all(processes.map((p) => cpuSeconds(p.child.pid))),
      at: Date.now(),
    };
    const redisCalls = Object.entries(after.redis)
      .map(([k, v]) => [k, v - (before.redis[k] ?? 0)] as const)
      .filter(([, v]) => v > 0);
    const totalRedis = redisCalls.reduce((s, [, v]) => s + v, 0);
    const expected = await findingSignature(reference.tenantId);
    log(
      `MEASURE ${JSON.stringify({
        events: accepted,
        seconds: (after.at - before.at) / 1000,
        cpuSecondsApi: +(after.cpu[0]! - before.cpu[0]!).toFixed(2),
        cpuSecondsWorkers: +after.cpu
          .slice(1)
          .reduce((s, c, i) => s + c - before.cpu[i + 1]!, 0)
          .toFixed(2),
        redisCallsPerEvent: +(totalRedis / accepted).toFixed(3),
        topRedis: redisCalls.sort((a, b) => b[1] - a[1]).slice(0, 12),
        pgCommitsPerEvent: +((Number(after.pg.xact) - Number(before.pg.xact)) / accepted).toFixed(4),
        pgRowsInsertedPerEvent: +((Number(after.pg.ins) - Number(before.pg.ins)) / accepted).toFixed(3),
        pgRowsUpdatedPerEvent: +((Number(after.pg.upd) - Number(before.pg.upd)) / accepted).toFixed(3),
        findings: Object.keys(expected).length,
        idleRedisPerSecond,
        deliveries: (
          await sql<{ n: number }>('SELECT count(*)::int AS n FROM webhook_deliveries WHERE tenant_id = $1', [reference.tenantId])
        )[0]!.n,
        detectBatches: Math.ceil(accepted / 1000),
      })}`,
    );
    expect(Object.keys(expected).length).toBeGreaterThan(10);

    // 2. Three tenants upload at once while the story plays for a fifth tenant; a third worker joins.
    const uploads = Promise.all(loaded.map((t) => upload(t, records)));
    const storyReceiver = await WebhookReceiver.start();
    receivers.push(storyReceiver);
    let backlogWhenStoryDone = -1;
    const story = (async (): Promise<StoryResult> => {
      const r = await runStory(
        {
          sim,
          apiUrl,
          adminToken,
          mode: 'polling',
          awsAccountId: '111122223333',
          bucket: 'acme-trail-scale',
          timeoutMs: 120_000,
          runPostureCheck: ({ tenantId, accountId }) =>
            queue.add('ingest.posture', { tenantId, accountId }, { jobId: `posture:${accountId}:scale-${Date.now()}` }),
        },
        storyReceiver,
      );
      const left = await queue.counts('detect', 'waiting', 'prioritized');
      backlogWhenStoryDone = (left.waiting ?? 0) + (left.prioritized ?? 0);
      log(`story done; ${backlogWhenStoryDone} upload batches still queued`);
      return r;
    })();
    const joined = startAppProcess('worker', 'worker-3', env);
    processes.push(joined);
    await joined.ready;
    expect((await schedules()).sort()).toEqual([...scheduled].sort());

    // Fairness, alongside: a quiet tenant's one attack event becomes a finding while the others'
    // backlog is still queued.
    const backlog = async () => {
      const c = await queue.counts('detect', 'waiting', 'prioritized');
      return (c.waiting ?? 0) + (c.prioritized ?? 0);
    };
    const fairness = (async () => {
      await eventually(backlog, (n) => n >= 6, 300_000);
      const quietAt = Date.now();
      expect(await upload(quiet, [updateTrailRecord({ by: 'attacker', multiRegion: false })])).toBe(1);
      await eventually(
        async () => (await quiet.api.get<{ data: unknown[] }>('/v1/findings?severity=high')).data.length,
        (n) => n === 1,
        300_000,
      );
      const left = await backlog();
      log(`fairness: the quiet tenant's finding after ${Date.now() - quietAt} ms, ${left} upload batches still queued`);
      return left;
    })();

    // 3. Disturbances, once real work is under way: SIGKILL a worker, then fail a master over.
    const progress = async () => (await Promise.all(loaded.map((t) => ingestedCount(t.tenantId)))).reduce((a, b) => a + b, 0);
    const total = loaded.length * accepted;
    await eventually(progress, (n) => n >= total * 0.25, 600_000);
    const victim = processes[1]!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    log(`SIGKILL ${victim.name} at ${await progress()} / ${total}`);
    await eventually(progress, (n) => n >= total * 0.45, 600_000);
    // The master that serves the busiest detection shard (the first loaded tenant's).
    const shardQueue = `detect-${shardOf(loaded[0]!.tenantId, SHARDS)}`;
    const master = await cluster.masterOf(queuePrefix(shardQueue));
    const { promoted } = await cluster.failOver(master);
    log(`failed over ${shardQueue}'s master ${master} to ${promoted} (old master SIGKILLed) at ${await progress()} / ${total}`);

    // 4. Everything arrives, exactly once; the quiet tenant did not wait for the backlog.
    expect(await fairness).toBeGreaterThan(0);
    expect(await uploads).toEqual(loaded.map(() => accepted));
    const r = await story;
    await eventually(progress, (n) => n === total, 900_000);
    await eventually(idle, Boolean, 300_000);
    await new Promise((done) => setTimeout(done, 3000)); // a stray duplicate would show up by now
    for (const t of loaded) {
      expect(await ingestedCount(t.tenantId)).toBe(accepted);
      expect(await findingSignature(t.tenantId)).toEqual(expected);
    }
    expect(await queue.counts('detect', 'failed')).toEqual({ failed: 0 });

    // Every webhook delivered, once: each tenant's receiver saw as many alerts as the reference's.
    const refDeliveries = reference.receiver.received.length;
    expect(refDeliveries).toBeGreaterThan(0);
    for (const t of [reference, ...loaded]) {
      const rows = await sql<{ status: string; n: number }>(
        'SELECT status::text AS status, count(*)::int AS n FROM webhook_deliveries WHERE tenant_id = $1 GROUP BY status',
        [t.tenantId],
      );
      expect(rows).toEqual([{ status: 'succeeded', n: refDeliveries }]);
      expect(t.receiver.received.every((w) => w.verified)).toBe(true);
      expect(new Set(t.receiver.received.map((w) => w.webhookId)).size).toBe(refDeliveries);
    }

    // The story: exactly its findings and webhooks.
    const api = new ApiClient(apiUrl, r.apiKey);
    const findings = (await api.get<{ data: StoryResult['findings'] }>(`/v1/findings?accountId=${r.accountId}&limit=200`)).data;
    expect(findings.map(shape).sort()).toEqual(expectedFindings(r.estate).map(shape).sort());
    const open = findings.filter((f) => f.status === 'open');
    const hooks = [...storyReceiver.received];
    expect(hooks.every((w) => w.verified)).toBe(true);
    // Each open finding announced once (findings of one event and actor share a message), plus the posture change.
    expect(hooks.filter((w) => w.type !== 'finding.created').map((w) => w.type)).toEqual(['posture.changed']);
    const announced = hooks.filter((w) => w.type === 'finding.created').flatMap((w) => announcedFindingIds(w.data));
    expect(announced.sort()).toEqual(open.map((f) => f.id).sort());
    expect(new Set(hooks.map((w) => w.webhookId)).size).toBe(hooks.length);

    // The workers that were not killed are still up.
    for (const p of processes.filter((p) => p !== victim)) expect(p.child.exitCode).toBeNull();
  }, 1_500_000);
});
