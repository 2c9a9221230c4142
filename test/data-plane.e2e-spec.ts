import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { register } from 'prom-client';
import { DetectionService } from '@trailguard/worker-app';
import { encodeRecords } from '@trailguard/queues';
import { actors, eventually, insertAccount, updateTrailRecord } from './support/fixtures';
import { startTestApp, startTestWorkers, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';
import { testEnv } from './support/test-env';

/**
 * The data plane's promises: an event is evaluated once however often and by whatever path it
 * arrives inside the de-duplication window; a replay older than the window is refused, so it can
 * neither create a second finding nor double a count; evidence is a sample, the count exact.
 */
const EVIDENCE_MAX = 4;

async function refused(): Promise<number> {
  const metric = (await register.getSingleMetricAsString('trailguard_events_refused_total').catch(() => '')) ?? '';
  return [...metric.matchAll(/^trailguard_events_refused_total\{reason="too_old"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

describe('data plane: once inside the window, refused outside it, sampled evidence with exact counts', () => {
  let t: TestApp;
  let workers: INestApplicationContext;
  let owner: Client;

  beforeAll(async () => {
    t = await startTestApp({ DEDUP_WINDOW_HOURS: '3', FINDING_EVIDENCE_MAX: String(EVIDENCE_MAX) });
    workers = await startTestWorkers({ DEDUP_WINDOW_HOURS: '3', FINDING_EVIDENCE_MAX: String(EVIDENCE_MAX) });
    owner = new Client({ connectionString: testEnv().ownerUrl });
    await owner.connect();
  }, 30_000);

  afterAll(async () => {
    await owner?.end();
    await workers?.close();
    await t?.close();
  });

  it('counts each event once across overlapping batches and paths, keeps the first and the latest as evidence, and refuses a replay older than the window', async () => {
    const s = await TenantSession.create(t);
    const accountId = await insertAccount(s.tenantId);
    const detection = workers.get(DetectionService, { strict: false });
    // 30 attacker UpdateTrail calls (each matches three rules; the high one is followed here) in one finding window, 90 minutes ago and earlier (inside 3 h).
    const hour = Math.floor((Date.now() - 90 * 60_000) / 3_600_000) * 3_600_000;
    const records = Array.from({ length: 30 }, (_, i) =>
      updateTrailRecord({ by: 'attacker', multiRegion: false, at: new Date(hour + i * 1000) }),
    );
    const batch = (batchId: string, rs: object[]) =>
      detection.evaluateBatch({
        tenantId: s.tenantId,
        accountId,
        source: 'upload',
        batchId,
        recordsGz: encodeRecords(rs),
        count: rs.length,
      });

    // Three batches carrying overlapping events at once, one of them carrying an event twice.
    const results = await Promise.all([
      batch('a', records.slice(0, 20)),
      batch('b', records.slice(10, 30)),
      batch('c', [...records.slice(5, 25), records[7]!]),
    ]);
    expect(results.reduce((n, r) => n + r.evaluated, 0)).toBe(30);
    // The same events again by the public upload (queued, any worker): nothing changes.
    const upload = await t.http
      .post(`/v1/aws-accounts/${accountId}/events`)
      .set(s.auth())
      .set('Content-Type', 'application/x-ndjson')
      .send(records.map((r) => JSON.stringify(r)).join('\n'))
      .expect(202);
    expect(upload.body).toMatchObject({ accepted: 30, rejected: 0 });
    // The same job run twice (a retry after its commit): nothing to evaluate.
    expect(await batch('a', records.slice(0, 20))).toEqual({ evaluated: 0, findings: 0 });

    const ledger = async () =>
      Number((await owner.query('SELECT count(*)::int AS n FROM ingested_events WHERE tenant_id = $1', [s.tenantId])).rows[0].n);
    const list = async () =>
      (await t.http.get('/v1/findings?severity=high').set(s.auth()).expect(200)).body.data as Array<{
        id: string;
        actor: string;
        eventCount: number;
      }>;
    await new Promise((r) => setTimeout(r, 1500)); // the uploaded batch's turn on the queue
    const [finding, ...others] = await eventually(list, (l) => l.length > 0);
    expect(others).toHaveLength(0);
    expect(finding).toMatchObject({ actor: actors.attacker, eventCount: 30 });
    expect(await ledger()).toBe(30);

    // Evidence: the first two and the latest two events, in order; the count stays exact.
    const detail = (await t.http.get(`/v1/findings/${finding!.id}`).set(s.auth()).expect(200)).body as {
      eventCount: number;
      evidenceSampled: boolean;
      evidence: Array<{ eventId: string }>;
    };
    expect(detail.eventCount).toBe(30);
    expect(detail.evidenceSampled).toBe(true);
    // The first two counted and the latest two counted (the concurrent batches decide which came first).
    expect(detail.evidence).toHaveLength(EVIDENCE_MAX);
    const ids = new Set(records.map((r) => r.eventID));
    expect(detail.evidence.every((e) => ids.has(e.eventId))).toBe(true);
    const seqs = await owner.query('SELECT seq FROM finding_events WHERE finding_id = $1 ORDER BY seq', [finding!.id]);
    expect(seqs.rows.map((r: { seq: number }) => r.seq)).toEqual([1, 2, 29, 30]);

    // The window passes: the ledger forgets these events (retention drops its day; here, as the
    // owner, the rows go at once). A replay must not count them again, by either path.
    await owner.query('DELETE FROM ingested_events WHERE tenant_id = $1', [s.tenantId]);
    const late = await startTestApp({ DEDUP_WINDOW_HOURS: '1' });
    try {
      const replay = await late.http
        .post(`/v1/aws-accounts/${accountId}/events`)
        .set(s.auth())
        .set('Content-Type', 'application/x-ndjson')
        .send(records.map((r) => JSON.stringify(r)).join('\n'))
        .expect(202);
      expect(replay.body).toMatchObject({ accepted: 0, rejected: 30, batches: 0 });
      expect(new Set((replay.body as { errors: Array<{ code: string }> }).errors.map((e) => e.code))).toEqual(new Set(['event_too_old']));
    } finally {
      await late.close();
    }
    const lateWorkers = await startTestWorkers({ DEDUP_WINDOW_HOURS: '1' });
    try {
      const before = await refused();
      const outcome = await lateWorkers.get(DetectionService, { strict: false }).evaluateBatch({
        tenantId: s.tenantId,
        accountId,
        source: 'polling',
        batchId: `late-${randomUUID()}`,
        recordsGz: encodeRecords(records),
        count: 30,
      });
      expect(outcome).toEqual({ evaluated: 0, findings: 0 });
      expect((await refused()) - before).toBe(30);
    } finally {
      await lateWorkers.close();
    }
    const after = await list();
    expect(after).toHaveLength(1);
    expect(after[0]!.eventCount).toBe(30);
    expect(await ledger()).toBe(0);
  }, 60_000);

  it('GET /v1/tenant shows the retention settings; an admin sets retentionDays within the platform maximum', async () => {
    const s = await TenantSession.create(t);
    const get = async () => (await t.http.get('/v1/tenant').set(s.auth()).expect(200)).body as { retention: Record<string, unknown> };
    expect((await get()).retention).toEqual({
      retentionDays: null,
      effectiveRetentionDays: 90,
      defaultRetentionDays: 90,
      maxRetentionDays: 365,
      dedupWindowHours: 3,
      deliveryRetentionDays: 30,
      findingEvidenceMax: EVIDENCE_MAX,
    });
    await t.http.patch('/v1/tenant').set(s.auth()).send({ retentionDays: 7 }).expect(200);
    expect((await get()).retention).toMatchObject({ retentionDays: 7, effectiveRetentionDays: 7 });
    const tooLong = await t.http.patch('/v1/tenant').set(s.auth()).send({ retentionDays: 366 }).expect(400);
    expect(tooLong.body.error).toMatchObject({ code: 'retention_too_long', details: { max: 365 } });
    await t.http.patch('/v1/tenant').set(s.auth()).send({ retentionDays: 0 }).expect(400);
    const viewer = await s.key('viewer');
    await t.http
      .patch('/v1/tenant')
      .set({ authorization: `Bearer ${viewer.key}` })
      .send({ retentionDays: 30 })
      .expect(403);
    await t.http.patch('/v1/tenant').set(s.auth()).send({ retentionDays: null }).expect(200);
    expect((await get()).retention).toMatchObject({ retentionDays: null, effectiveRetentionDays: 90 });
  });
});
