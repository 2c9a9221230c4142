import { gzipSync } from 'node:zlib';
import { enqueueDetectBatches, JobQueue } from '@trailguard/queues';
import { eventually } from '../support/fixtures';
import { corpus, detectQueueIdle, findingSignature, ingestedCount, ownRedis, startApiOn, timed, Workers } from '../support/faults';
import type { TestApp } from '../support/test-app';
import { TenantSession } from '../support/tenant-session';
import { testJobQueue } from '../support/test-env';

const RECORDS = Number(process.env.FAULT_RECORDS_REDIS ?? 30_000);

describe('Redis restarted under load', () => {
  let redis: Awaited<ReturnType<typeof ownRedis>>;
  let t: TestApp;
  let queue: JobQueue;
  const workers = new Workers();

  beforeAll(async () => {
    redis = await ownRedis();
    t = await startApiOn({ redisUrl: redis.url }, { PLATFORM_AWS_ACCOUNT_ID: '999988887777' });
    queue = testJobQueue(redis.url);
  }, 60_000);
  afterAll(async () => {
    await workers.killAll();
    await queue?.close();
    await t?.close();
    await redis?.stop();
  });

  it(`evaluates every batch queued or in flight when Redis restarts: ${RECORDS} events, findings as undisturbed`, async () => {
    const records = corpus(RECORDS);
    const calm = await TenantSession.create(t);
    const hurt = await TenantSession.create(t);
    const account = async (s: TenantSession) =>
      (await t.http.post('/v1/aws-accounts').set(s.auth()).send({ name: 'redis fault', polling: false }).expect(201)).body.id as string;
    const [calmAccount, hurtAccount] = [await account(calm), await account(hurt)];
    const config = { WORKER_LOCK_SECONDS: '3' };
    await workers.spawn({ redisUrl: redis.url }, config);

    // Half the events through the producer, half uploaded through the API (which refuses the few
    // dataset records that are not CloudTrail API calls: both tenants get exactly the same).
    const half = Math.floor(RECORDS / 2);
    const upload = gzipSync(
      records
        .slice(half)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const feed = async (s: TenantSession, accountId: string): Promise<number> => {
      await enqueueDetectBatches(queue, { tenantId: s.tenantId, accountId, source: 'upload', records: records.slice(0, half) });
      const res = await t.http
        .post(`/v1/aws-accounts/${accountId}/events`)
        .set(s.auth())
        .set('Content-Type', 'application/gzip')
        .send(upload)
        .expect(202);
      expect(res.body.accepted + res.body.rejected).toBe(RECORDS - half);
      return half + (res.body.accepted as number);
    };

    // Undisturbed: the same events for another tenant give the expected findings.
    const total = await feed(calm, calmAccount);
    await eventually(
      () => ingestedCount(calm.tenantId),
      (n) => n === total,
      240_000,
    );
    await eventually(() => detectQueueIdle(queue), Boolean, 60_000);

    // Restart while batches are both waiting and active.
    expect(await feed(hurt, hurtAccount)).toBe(total);
    await eventually(
      () => ingestedCount(hurt.tenantId),
      (n) => n >= RECORDS / 10,
      120_000,
    );
    const counts = await queue.counts('detect', 'waiting', 'active', 'prioritized');
    const queuedAtRestart = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
    const activeAtRestart = counts.active ?? 0;
    const atRestart = await ingestedCount(hurt.tenantId);
    const started = Date.now();
    let readyWhileDown: { status: number; body: unknown; ms: number; at: number } | null = null;
    await redis.restart(async () => {
      // Down for longer than the readiness probe waits (2 s), so it cannot be answered by the restarted server.
      const downAt = Date.now();
      const [ready] = await Promise.all([timed(() => t.http.get('/readyz')), new Promise((r) => setTimeout(r, 3000))]);
      readyWhileDown = { status: ready.value.status, body: ready.value.body, ms: ready.ms, at: Date.now() - downAt };
    });

    // While it was away the API said so; now it is ready again.
    expect(readyWhileDown).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
    await eventually(
      async () => (await t.http.get('/readyz')).status,
      (s) => s === 200,
      30_000,
    );
    await eventually(
      () => ingestedCount(hurt.tenantId),
      (n) => n === total,
      240_000,
    );
    await eventually(() => detectQueueIdle(queue), Boolean, 60_000);
    const recoveredMs = Date.now() - started;

    expect(atRestart).toBeLessThan(total);
    expect(queuedAtRestart + activeAtRestart).toBeGreaterThan(0);
    expect(workers.allAlive()).toBe(true);
    const failed = await queue.counts('detect', 'failed');
    expect(failed.failed ?? 0).toBe(0);
    const [expected, actual] = await Promise.all([findingSignature(calm.tenantId), findingSignature(hurt.tenantId)]);
    expect(Object.keys(expected).length).toBeGreaterThan(10);
    expect(actual).toEqual(expected);
    process.stdout.write(
      `[measure] Redis restarted with ${queuedAtRestart} batches waiting, ${activeAtRestart} active, ${atRestart}/${total} events evaluated; all evaluated ${recoveredMs} ms later\n`,
    );
  });
});
