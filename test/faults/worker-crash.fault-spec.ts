import type { ChildProcess } from 'node:child_process';
import { enqueueDetectBatches, JobQueue } from '@trailguard/queues';
import { eventually, insertAccount } from '../support/fixtures';
import { corpus, detectQueueIdle, findingSignature, ingestedCount, spawnWorker } from '../support/faults';
import { startTestApp, type TestApp } from '../support/test-app';
import { TenantSession } from '../support/tenant-session';
import { testJobQueue } from '../support/test-env';

const RECORDS = Number(process.env.FAULT_RECORDS ?? 100_000);

describe('a worker killed with SIGKILL in the middle of evaluation', () => {
  let t: TestApp;
  let queue: JobQueue;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    queue = testJobQueue();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await queue.close();
    await t.close();
  });

  it(`loses nothing of ${RECORDS} events: findings equal those of an undisturbed run`, async () => {
    const records = corpus(RECORDS);
    const calm = await TenantSession.create(t);
    const hurt = await TenantSession.create(t);
    const calmAccount = await insertAccount(calm.tenantId);
    const hurtAccount = await insertAccount(hurt.tenantId);
    const lock = { WORKER_LOCK_SECONDS: '3' };

    // Undisturbed run.
    children.push(await spawnWorker({ TG_WORKER_CONFIG: JSON.stringify(lock) }));
    await enqueueDetectBatches(queue, { tenantId: calm.tenantId, accountId: calmAccount, source: 'upload', records });
    await eventually(
      () => ingestedCount(calm.tenantId),
      (n) => n === RECORDS,
      300_000,
    );
    await eventually(() => detectQueueIdle(queue), Boolean, 300_000);
    children.pop()!.kill('SIGKILL');

    // The same events for another tenant, with the worker killed part way.
    const first = await spawnWorker({ TG_WORKER_CONFIG: JSON.stringify(lock) });
    children.push(first);
    await enqueueDetectBatches(queue, { tenantId: hurt.tenantId, accountId: hurtAccount, source: 'upload', records });
    await eventually(
      () => ingestedCount(hurt.tenantId),
      (n) => n >= RECORDS / 4,
      300_000,
    );
    first.kill('SIGKILL');
    const atKill = await ingestedCount(hurt.tenantId);
    expect(atKill).toBeLessThan(RECORDS);
    children.push(await spawnWorker({ TG_WORKER_CONFIG: JSON.stringify(lock) }));
    await eventually(
      () => ingestedCount(hurt.tenantId),
      (n) => n === RECORDS,
      300_000,
    );
    await eventually(() => detectQueueIdle(queue), Boolean, 300_000);

    const [expected, actual] = await Promise.all([findingSignature(calm.tenantId), findingSignature(hurt.tenantId)]);
    expect(Object.keys(expected).length).toBeGreaterThan(10);
    expect(actual).toEqual(expected);
  });
});
