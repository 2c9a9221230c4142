import { randomUUID } from 'node:crypto';
import { datasetRecords, eventually, insertAccount, updateTrailRecord } from './support/fixtures';
import { startPipeline } from './support/pipeline';
import { startTestApp, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';

/** Backlog size of the busy tenant; FAIRNESS_BACKLOG=1000000 reproduces the product's 1M case. */
const BACKLOG = Number(process.env.FAIRNESS_BACKLOG ?? 100_000);

describe('fairness across tenants', () => {
  let t: TestApp;
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;

  beforeAll(async () => {
    t = await startTestApp();
    pipeline = await startPipeline();
  });
  afterAll(async () => {
    await Promise.all(pipeline.queue.shardsOf('detect').map((q) => q.drain()));
    await pipeline.close();
    await t.close();
  });

  it(`a quiet tenant's UpdateTrail becomes a finding within seconds while another tenant has ${BACKLOG} records queued`, async () => {
    const busy = await TenantSession.create(t);
    const quiet = await TenantSession.create(t);
    const busyAccount = await insertAccount(busy.tenantId);
    const quietAccount = await insertAccount(quiet.tenantId);

    const sample = datasetRecords('stratus-red-team/records.jsonl');
    const backlog = Array.from({ length: BACKLOG }, (_, i) => ({ ...sample[i % sample.length], eventID: randomUUID() }));
    for (let i = 0; i < backlog.length; i += 50_000) {
      await pipeline.enqueue(busy.tenantId, busyAccount, backlog.slice(i, i + 50_000));
    }
    const waiting = await pipeline.queue.counts('detect', 'waiting', 'prioritized', 'active');
    expect(waiting.prioritized! + waiting.waiting! + waiting.active!).toBeGreaterThan(BACKLOG / 1000 / 2);

    const started = Date.now();
    await pipeline.enqueue(quiet.tenantId, quietAccount, [updateTrailRecord({ by: 'attacker', multiRegion: false })]);
    await eventually(
      async () => (await t.http.get('/v1/findings?severity=high').set(quiet.auth()).expect(200)).body.data as unknown[],
      (l) => l.length === 1,
      20_000,
    );
    const latencyMs = Date.now() - started;
    const left = await pipeline.queue.counts('detect', 'waiting', 'prioritized');
    console.log(`fairness: finding after ${latencyMs} ms with ${left.prioritized! + left.waiting!} busy-tenant batches still queued`);
    expect(latencyMs).toBeLessThan(10_000);
    expect(left.prioritized! + left.waiting!).toBeGreaterThan(0);
  }, 180_000);
});
