import { randomUUID } from 'node:crypto';
import { compileRuleSet, loadBuiltinRules } from '@trailguard/sigma';
import { asTenantId, Database } from '@trailguard/db';
import { actorKey, raisePostureFinding } from '@trailguard/detection';
import { readFileSync } from 'node:fs';
import { register } from 'prom-client';
import { join } from 'node:path';
import { actors, DATASETS, eventually, insertAccount, updateTrailRecord } from './support/fixtures';
import { startPipeline } from './support/pipeline';
import { startTestApp, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';
import { testEnv } from './support/test-env';

type FindingDto = {
  id: string;
  ruleId: string;
  ruleTitle: string;
  severity: string;
  status: string;
  eventCount: number;
  actor: string;
  allowlistEntryId: string | null;
};

const SEED_MEDIUM = 'AWS CloudTrail UpdateTrail';
const SEED_HIGH = 'AWS CloudTrail UpdateTrail with multi-region disabled';

describe('detection pipeline', () => {
  let t: TestApp;
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;

  beforeAll(async () => {
    t = await startTestApp();
    pipeline = await startPipeline();
  });
  afterAll(async () => {
    await pipeline.close();
    await t.close();
  });

  async function freshTenant() {
    const s = await TenantSession.create(t);
    const accountId = await insertAccount(s.tenantId);
    return { s, accountId };
  }

  const findings = async (s: TenantSession, query = '') =>
    (await t.http.get(`/v1/findings?limit=200${query}`).set(s.auth()).expect(200)).body.data as FindingDto[];

  it('an attacker narrowing a trail yields a high and a medium finding', async () => {
    const { s, accountId } = await freshTenant();
    await pipeline.enqueue(s.tenantId, accountId, [updateTrailRecord({ by: 'attacker', multiRegion: false })]);
    const list = await eventually(
      () => findings(s),
      (l) => l.length >= 3,
    );
    const byTitle = new Map(list.map((f) => [f.ruleTitle, f]));
    expect(byTitle.get(SEED_HIGH)).toMatchObject({ severity: 'high', status: 'open', actor: actors.attacker, eventCount: 1 });
    expect(byTitle.get(SEED_MEDIUM)).toMatchObject({ severity: 'medium', status: 'open' });
    // SigmaHQ's broader "CloudTrail Important Change" matches UpdateTrail too
    expect(list.map((f) => f.ruleTitle)).toContain('AWS CloudTrail Important Change');
    const detail = await t.http
      .get(`/v1/findings/${byTitle.get(SEED_HIGH)!.id}`)
      .set(s.auth())
      .expect(200);
    expect(detail.body.evidence[0].record.requestParameters.isMultiRegionTrail).toBe(false);
    expect(detail.body.tags).toEqual(expect.arrayContaining(['attack.t1562.008', 'attack.t1685.002']));

    const high = byTitle.get(SEED_HIGH)!;
    const ocsf = await t.http.get(`/v1/findings/${high.id}?format=ocsf`).set(s.auth()).expect(200);
    expect(ocsf.body).toMatchObject({
      class_uid: 2004,
      type_uid: 200401,
      severity_id: 4,
      status_id: 1,
      is_alert: true,
      finding_info: { uid: high.id, title: SEED_HIGH, analytic: { type_id: 1 } },
      actor: { user: { uid: actors.attacker } },
      cloud: { provider: 'AWS' },
    });
    expect(ocsf.body.evidences[0].api.operation).toBe('UpdateTrail');
    expect(ocsf.body.evidences[0].data.record.requestParameters.isMultiRegionTrail).toBe(false);
    expect(ocsf.body.finding_info.attacks).toEqual(
      expect.arrayContaining([expect.objectContaining({ sub_technique: { uid: 'T1562.008' } })]),
    );
    const ocsfList = await t.http.get('/v1/findings?format=ocsf&severity=high').set(s.auth()).expect(200);
    expect(ocsfList.body.data.map((f: { finding_info: { uid: string } }) => f.finding_info.uid)).toContain(high.id);
    const bad = await t.http.get(`/v1/findings/${high.id}?format=cef`).set(s.auth()).expect(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });

  it('the same call by an allowlisted admin yields suppressed findings only', async () => {
    const { s, accountId } = await freshTenant();
    const entry = await t.http
      .post('/v1/allowlist')
      .set(s.auth())
      .send({ principalPattern: actors.adminRole, reason: 'cloud platform team' })
      .expect(201);
    await pipeline.enqueue(s.tenantId, accountId, [updateTrailRecord({ by: 'admin', multiRegion: false })]);
    const list = await eventually(
      () => findings(s),
      (l) => l.length >= 3,
    );
    expect(list.every((f) => f.status === 'suppressed')).toBe(true);
    expect(list.every((f) => f.allowlistEntryId === entry.body.id)).toBe(true);
    expect((await findings(s, '&status=open')).length).toBe(0);
  });

  it('a retried or duplicated batch creates no second finding and no double count', async () => {
    const { s, accountId } = await freshTenant();
    const record = updateTrailRecord({ by: 'attacker', multiRegion: false });
    await pipeline.enqueue(s.tenantId, accountId, [record], 'same-batch');
    await eventually(
      () => findings(s),
      (l) => l.length >= 3,
    );
    await pipeline.enqueue(s.tenantId, accountId, [record]); // another path brings the same event
    await pipeline.enqueue(s.tenantId, accountId, [record, updateTrailRecord({ by: 'attacker', multiRegion: false })]);
    const list = await eventually(
      () => findings(s),
      (l) => l.find((f) => f.ruleTitle === SEED_HIGH)?.eventCount === 2,
    );
    expect(list.filter((f) => f.ruleTitle === SEED_HIGH)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    expect((await findings(s)).find((f) => f.ruleTitle === SEED_HIGH)!.eventCount).toBe(2);
  });

  it('a real record set uploaded through the API yields the findings the rules imply', async () => {
    const { s, accountId } = await freshTenant();
    const file = join(DATASETS, 'stratus-red-team/records.cloudtrail.json');
    // The recorded events, moved into the last two hours (same order): older ones would fall
    // outside the de-duplication window and be refused as too old (DEDUP_WINDOW_HOURS).
    const recorded = (JSON.parse(readFileSync(file, 'utf8')) as { Records: Array<Record<string, unknown>> }).Records;
    const records = shiftToRecent(recorded);
    // What the engine alone says: one finding per (rule, actor) as the window is larger than the data's span per actor.
    const engine = compileRuleSet(loadBuiltinRules());
    const expected = new Set<string>();
    const now = Date.now();
    for (const r of records) {
      for (const m of engine.match(r).filter((x) => x.report)) expected.add(`${m.ruleId}|${actorKey(r)}|${windowOf(r, now)}`);
    }
    expect(expected.size).toBeGreaterThan(5);
    const upload = await t.http
      .post(`/v1/aws-accounts/${accountId}/events`)
      .set(s.auth())
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ Records: records }, null, 2))
      .expect(202);
    expect(upload.body).toMatchObject({ accepted: records.length, rejected: 0 });
    const list = await eventually(
      () => findings(s),
      (l) => l.length >= expected.size,
      30_000,
    );
    const got = new Set(list.map((f) => `${f.ruleId}|${f.actor}|${(f as unknown as { windowStart: string }).windowStart}`));
    expect(got).toEqual(
      new Set([...expected].map((k) => k.replace(/\|(\d+)$/, (_m, ms: string) => `|${new Date(Number(ms)).toISOString()}`))),
    );
  });

  it('a custom rule added at runtime applies to the next batch; one with an error is a 400 naming the line', async () => {
    const { s, accountId } = await freshTenant();
    const bad = await t.http
      .post('/v1/rules')
      .set(s.auth())
      .set('Content-Type', 'application/yaml')
      .send(`title: broken\nid: ${randomUUID()}\nlogsource: {product: aws}\ndetection:\n  sel:\n    eventName|bogus: x\n  condition: sel\n`)
      .expect(400);
    expect(bad.body.error.code).toBe('invalid_rule');
    expect(bad.body.error.details.line).toBe(6);
    expect(bad.body.error.message).toMatch(/line 6/);

    const id = randomUUID();
    const yaml = `title: Console logins of mallory\nid: ${id}\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    eventName: ConsoleLogin\n    userIdentity.arn|endswith: /mallory\n  condition: sel\nlevel: critical\n`;
    const login = {
      eventID: randomUUID(),
      eventTime: new Date().toISOString(),
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      userIdentity: { type: 'IAMUser', arn: actors.attacker },
    };
    await pipeline.enqueue(s.tenantId, accountId, [login]);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await findings(s)).filter((f) => f.ruleId === id)).toHaveLength(0);
    await t.http.post('/v1/rules').set(s.auth()).set('Content-Type', 'application/yaml').send(yaml).expect(201);
    await pipeline.enqueue(s.tenantId, accountId, [{ ...login, eventID: randomUUID() }]);
    const list = await eventually(
      () => findings(s),
      (l) => l.some((f) => f.ruleId === id),
    );
    expect(list.find((f) => f.ruleId === id)).toMatchObject({ severity: 'critical', eventCount: 1 });
    // The workers run in this process: their rule-match series name no tenant's own rule id.
    const series = await register.getSingleMetricAsString('trailguard_rule_matches_total');
    expect(series).toContain('rule_id="custom"');
    expect(series).not.toContain(id);
  });

  it("a tenant's stored filter is ANDed onto the rule it names in the worker: `not admins` drops the admins' matches only", async () => {
    const { s, accountId } = await freshTenant();
    const rules = (await t.http.get('/v1/rules?limit=500').set(s.auth()).expect(200)).body.data as Array<{ id: string; title: string }>;
    const high = rules.find((r) => r.title === SEED_HIGH)!;
    const filter = `title: Cloud admins narrow trails on purpose\nid: ${randomUUID()}\nlogsource: {product: aws}\nfilter:\n  rules: [${high.id}]\n  admins:\n    actor.session.issuer|endswith: ':role/CloudAdmin'\n  condition: not admins\n`;
    await t.http.post('/v1/rules').set(s.auth()).set('Content-Type', 'application/yaml').send(filter).expect(201);
    await pipeline.enqueue(s.tenantId, accountId, [
      updateTrailRecord({ by: 'admin', multiRegion: false }),
      updateTrailRecord({ by: 'attacker', multiRegion: false }),
    ]);
    const list = await eventually(
      () => findings(s),
      (l) => l.filter((f) => f.ruleTitle === SEED_MEDIUM).length >= 2,
    );
    expect(
      list
        .filter((f) => f.ruleTitle === SEED_MEDIUM)
        .map((f) => f.actor)
        .sort(),
    ).toEqual([actors.adminRole, actors.attacker].sort());
    expect(list.filter((f) => f.ruleTitle === SEED_HIGH).map((f) => f.actor)).toEqual([actors.attacker]);
  });

  it('adding, expiring and removing allowlist entries changes what is alerted', async () => {
    const { s, accountId } = await freshTenant();
    const soon = new Date(Date.now() + 60 * 60 * 1000);
    const entry = await t.http
      .post('/v1/allowlist')
      .set(s.auth())
      .send({ principalPattern: 'arn:aws:iam::111122223333:user/mall*', reason: 'red team', expiresAt: soon.toISOString() })
      .expect(201);
    // before expiry: suppressed; an event after the expiry: alerted
    await pipeline.enqueue(s.tenantId, accountId, [updateTrailRecord({ by: 'attacker', multiRegion: true })]);
    await eventually(
      () => findings(s),
      (l) => l.length >= 2 && l.every((f) => f.status === 'suppressed'),
    );
    const later = new Date(soon.getTime() + 2 * 60 * 60 * 1000);
    await pipeline.enqueue(s.tenantId, accountId, [updateTrailRecord({ by: 'attacker', multiRegion: true, at: later })]);
    await eventually(
      () => findings(s, '&status=open'),
      (l) => l.length >= 2,
    );
    // removed: a new actor's event inside the old validity is alerted too
    await t.http.delete(`/v1/allowlist/${entry.body.id}`).set(s.auth()).expect(200);
    await t.http.get(`/v1/allowlist/${entry.body.id}`).set(s.auth()).expect(404);
    const inWindow = {
      ...updateTrailRecord({ by: 'attacker', multiRegion: true }),
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallet' },
    };
    await pipeline.enqueue(s.tenantId, accountId, [inWindow]);
    const open = await eventually(
      () => findings(s, '&status=open'),
      (l) => l.some((f) => f.actor.endsWith('/mallet')),
    );
    expect(open.filter((f) => f.actor.endsWith('/mallet')).every((f) => f.allowlistEntryId === null)).toBe(true);
  });

  it('findings pagination is stable while new findings arrive', async () => {
    const { s, accountId } = await freshTenant();
    const hours = [1, 2, 3, 4, 5, 6].map((h) => new Date(Date.now() - h * 3600_000 * 2));
    await pipeline.enqueue(
      s.tenantId,
      accountId,
      hours.map((at) => updateTrailRecord({ by: 'attacker', multiRegion: false, at })),
    );
    const all = await eventually(
      () => findings(s),
      (l) => l.length >= 18,
    );
    const first = await t.http.get('/v1/findings?limit=5').set(s.auth()).expect(200);
    await pipeline.enqueue(s.tenantId, accountId, [
      updateTrailRecord({ by: 'attacker', multiRegion: false, at: new Date(Date.now() + 3 * 3600_000) }),
    ]);
    await eventually(
      () => findings(s),
      (l) => l.length >= 21,
    );
    const seen = [...first.body.data];
    let cursor = first.body.nextCursor as string | null;
    while (cursor) {
      const page = await t.http.get(`/v1/findings?limit=5&cursor=${cursor}`).set(s.auth()).expect(200);
      seen.push(...page.body.data);
      cursor = page.body.nextCursor;
    }
    const ids = seen.map((f: FindingDto) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(all.map((f) => f.id)));
  });

  it('triage: status, assignee, comments and history; viewers cannot change findings', async () => {
    const { s, accountId } = await freshTenant();
    await pipeline.enqueue(s.tenantId, accountId, [updateTrailRecord({ by: 'attacker', multiRegion: false })]);
    const [f] = await eventually(
      () => findings(s, '&severity=high'),
      (l) => l.length === 1,
    );
    const analyst = await s.key('analyst');
    const viewer = await s.key('viewer');
    await t.http.patch(`/v1/findings/${f!.id}`).set(s.auth(viewer.key)).send({ status: 'acknowledged' }).expect(403);
    const res = await t.http
      .patch(`/v1/findings/${f!.id}`)
      .set(s.auth(analyst.key))
      .send({ status: 'acknowledged', assignee: 'alice@example.com', comment: 'looking' })
      .expect(200);
    expect(res.body).toMatchObject({ status: 'acknowledged', assignee: 'alice@example.com' });
    const bad = await t.http.patch(`/v1/findings/${f!.id}`).set(s.auth()).send({ status: 'closed' }).expect(400);
    expect(bad.body.error.details[0].path).toBe('body.status');
    const activity = await t.http.get(`/v1/findings/${f!.id}/activity`).set(s.auth(viewer.key)).expect(200);
    expect(activity.body.data.map((a: { type: string }) => a.type).sort()).toEqual(['assigned', 'commented', 'created', 'status_changed']);
    expect((await findings(s, '&status=acknowledged')).map((x) => x.id)).toEqual([f!.id]);
  });

  it('links a posture finding raised before detection to the attacker, not an earlier admin change', async () => {
    const { s, accountId } = await freshTenant();
    await t.http.post('/v1/allowlist').set(s.auth()).send({ principalPattern: actors.adminRole, reason: 'platform team' }).expect(201);
    await pipeline.enqueue(s.tenantId, accountId, [updateTrailRecord({ by: 'admin', multiRegion: true })]);
    await eventually(
      () => findings(s),
      (l) => l.length >= 2,
    );
    // The posture check sees the lost trail before the attacker's event is detected.
    const db = new Database({ url: testEnv().appUrl, poolSize: 1 });
    const posture = await db.forTenant(asTenantId(s.tenantId), (scope) =>
      raisePostureFinding(scope, { accountId, posture: { hasLoggingMultiRegionTrail: false }, at: new Date(), windowSeconds: 3600 }),
    );
    await db.close();
    const byAdmin = (await t.http.get(`/v1/findings/${posture.id}`).set(s.auth()).expect(200)).body.relatedFindingId;
    expect(byAdmin).not.toBeNull(); // the suppressed admin change, for now
    await pipeline.enqueue(s.tenantId, accountId, [updateTrailRecord({ by: 'attacker', multiRegion: false })]);
    const high = await eventually(
      () => findings(s, '&severity=high&kind=detection'),
      (l) => l.length === 1,
    );
    const linked = await eventually(
      async () => (await t.http.get(`/v1/findings/${posture.id}`).set(s.auth()).expect(200)).body.relatedFindingId as string,
      (id) => id === high[0]!.id,
    );
    expect(linked).toBe(high[0]!.id);
  });

  it("tenants never see each other's rules, allowlists or findings", async () => {
    const a = await freshTenant();
    const b = await freshTenant();
    await a.s.t.http.post('/v1/allowlist').set(a.s.auth()).send({ principalPattern: 'arn:aws:iam::1:role/X', reason: 'r' }).expect(201);
    const ruleId = randomUUID();
    await t.http
      .post('/v1/rules')
      .set(a.s.auth())
      .send({ yaml: `title: A's rule\nid: ${ruleId}\nlogsource: {product: aws}\ndetection:\n  s: {eventName: X}\n  condition: s\n` })
      .expect(201);
    await pipeline.enqueue(a.s.tenantId, a.accountId, [updateTrailRecord({ by: 'attacker', multiRegion: false })]);
    const [fa] = await eventually(
      () => findings(a.s),
      (l) => l.length >= 1,
    );
    const entryA = (await t.http.get('/v1/allowlist').set(a.s.auth()).expect(200)).body.data[0];
    for (const path of [`/v1/findings/${fa!.id}`, `/v1/findings/${fa!.id}/activity`, `/v1/rules/${ruleId}`, `/v1/allowlist/${entryA.id}`]) {
      const res = await t.http.get(path).set(b.s.auth()).expect(404);
      expect(res.body.error.code).toBe('not_found');
    }
    await t.http.patch(`/v1/findings/${fa!.id}`).set(b.s.auth()).send({ status: 'resolved' }).expect(404);
    await t.http.delete(`/v1/allowlist/${entryA.id}`).set(b.s.auth()).expect(404);
    await t.http.delete(`/v1/rules/${ruleId}`).set(b.s.auth()).expect(404);
    expect(await findings(b.s)).toEqual([]);
    expect((await t.http.get('/v1/allowlist').set(b.s.auth())).body.data).toEqual([]);
    expect((await t.http.get('/v1/rules?source=custom').set(b.s.auth())).body.data).toEqual([]);
  });
});

/** The records in their order, spread over the last two hours (the recordings span years). */
function shiftToRecent(records: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const at = (r: Record<string, unknown>) => (typeof r.eventTime === 'string' ? Date.parse(r.eventTime) : NaN);
  const order = records
    .map((r, i) => ({ i, t: at(r) }))
    .filter((x) => !Number.isNaN(x.t))
    .sort((a, b) => a.t - b.t || a.i - b.i);
  const start = Date.now() - 2 * 3_600_000;
  const moved = [...records];
  order.forEach(
    ({ i }, rank) =>
      (moved[i] = { ...records[i], eventTime: new Date(start + Math.floor((rank * 3_600_000) / order.length)).toISOString() }),
  );
  return moved;
}

function windowOf(r: Record<string, unknown>, fallback: number): number {
  const t = typeof r.eventTime === 'string' ? Date.parse(r.eventTime) : NaN;
  const ms = Number.isNaN(t) ? fallback : t;
  return Math.floor(ms / 3_600_000) * 3_600_000;
}
