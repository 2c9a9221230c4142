import { enqueueDetectBatches, JobQueue } from '@trailguard/queues';
import { eventually } from '../support/fixtures';
import {
  corpus,
  detectQueueIdle,
  findingSignature,
  ingestedCount,
  ownPostgres,
  ownRedis,
  startApiOn,
  timed,
  Workers,
} from '../support/faults';
import type { TestApp } from '../support/test-app';
import { TenantSession } from '../support/tenant-session';
import { testJobQueue } from '../support/test-env';

const RECORDS = Number(process.env.FAULT_RECORDS_POSTGRES ?? 30_000);
const OUTAGE_MS = 10_000;

describe('Postgres unavailable for 10 seconds', () => {
  let pg: Awaited<ReturnType<typeof ownPostgres>>;
  let redis: Awaited<ReturnType<typeof ownRedis>>;
  let t: TestApp;
  let queue: JobQueue;
  const workers = new Workers();

  beforeAll(async () => {
    // Both servers of its own: no other suite's jobs or rows reach this one's workers.
    [pg, redis] = await Promise.all([ownPostgres(), ownRedis()]);
    const target = { appDatabaseUrl: pg.appUrl, redisUrl: redis.url };
    t = await startApiOn(target, { PLATFORM_AWS_ACCOUNT_ID: '999988887777' });
    queue = testJobQueue(redis.url);
    await workers.spawn(target, { WORKER_LOCK_SECONDS: '3' });
  }, 120_000);
  afterAll(async () => {
    await workers.killAll();
    await queue?.close();
    await t?.close();
    await Promise.all([pg?.stop(), redis?.stop()]);
  });

  it(`answers 503 quickly while it is down, and afterwards nothing of ${RECORDS} events is missing`, async () => {
    const records = corpus(RECORDS);
    const calm = await TenantSession.create(t);
    const hurt = await TenantSession.create(t);
    const account = async (s: TenantSession) =>
      (await t.http.post('/v1/aws-accounts').set(s.auth()).send({ name: 'pg fault', polling: false }).expect(201)).body.id as string;
    const [calmAccount, hurtAccount] = [await account(calm), await account(hurt)];
    const count = (tenantId: string) => ingestedCount(tenantId, pg.ownerUrl);

    // Undisturbed run: the findings to expect.
    await enqueueDetectBatches(queue, { tenantId: calm.tenantId, accountId: calmAccount, source: 'upload', records });
    await eventually(
      () => count(calm.tenantId),
      (n) => n === RECORDS,
      240_000,
    );
    await eventually(() => detectQueueIdle(queue), Boolean, 60_000);

    await enqueueDetectBatches(queue, { tenantId: hurt.tenantId, accountId: hurtAccount, source: 'upload', records });
    await eventually(
      () => count(hurt.tenantId),
      (n) => n >= RECORDS / 5,
      120_000,
    );
    const downAt = Date.now();
    await pg.down();
    const atOutage = await queue.counts('detect', 'waiting', 'prioritized', 'active');

    // While it is down: 503 in the envelope, quickly, on readiness and on a tenant route.
    const ready = await timed(() => t.http.get('/readyz'));
    const findings = await timed(() => t.http.get('/v1/findings').set(hurt.auth()));
    const write = await timed(() =>
      t.http.post('/v1/allowlist').set(hurt.auth()).send({ principalPattern: 'arn:aws:iam::1:role/A', reason: 'x' }),
    );
    for (const [what, r] of [
      ['readyz', ready],
      ['findings', findings],
      ['allowlist', write],
    ] as const) {
      expect({ what, status: r.value.status, error: r.value.body.error }).toMatchObject({
        what,
        status: 503,
        error: { code: 'unavailable', message: expect.any(String) },
      });
      expect(r.ms).toBeLessThan(2000);
    }
    // Workers meet the outage: their jobs fail and are retried with backoff, not dropped.
    const retried = await eventually(
      async () =>
        (await Promise.all(queue.shardsOf('detect').map((q) => q.getJobs(['delayed', 'waiting', 'prioritized'], 0, 200))))
          .flat()
          .filter((j) => j.attemptsMade > 0).length,
      (n) => n > 0,
      OUTAGE_MS,
    );
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - downAt))));
    await pg.up();
    const upAt = Date.now();

    await eventually(
      async () => (await t.http.get('/readyz')).status,
      (s) => s === 200,
      30_000,
    );
    await eventually(
      () => count(hurt.tenantId),
      (n) => n === RECORDS,
      240_000,
    );
    await eventually(() => detectQueueIdle(queue), Boolean, 60_000);
    const failed = await queue.counts('detect', 'failed');
    expect(failed.failed ?? 0).toBe(0);
    expect(workers.allAlive()).toBe(true);
    const [expected, actual] = await Promise.all([
      findingSignature(calm.tenantId, pg.ownerUrl),
      findingSignature(hurt.tenantId, pg.ownerUrl),
    ]);
    expect(Object.keys(expected).length).toBeGreaterThan(10);
    expect(actual).toEqual(expected);
    await t.http.get('/v1/findings').set(hurt.auth()).expect(200);
    process.stdout.write(
      `[measure] Postgres down ${upAt - downAt} ms with ${(atOutage.waiting ?? 0) + (atOutage.prioritized ?? 0)} batches waiting, ${atOutage.active ?? 0} active; ` +
        `503 in ${ready.ms}/${findings.ms}/${write.ms} ms; ${retried} batches retried; all evaluated ${Date.now() - upAt} ms after restart\n`,
    );
  });
});
