import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { QUIET_BY_DEFAULT } from '@trailguard/detection';
import { actors, eventually, insertAccount, updateTrailRecord } from './support/fixtures';
import { startPipeline } from './support/pipeline';
import { startTestApp, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';

/** A real HTTP receiver on 127.0.0.1 that records what it gets and answers 202 (as PagerDuty does). */
class RawReceiver {
  readonly received: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];

  private constructor(
    private readonly server: Server,
    readonly base: string,
  ) {}

  static async start(): Promise<RawReceiver> {
    const ref: { current?: RawReceiver } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        ref.current!.received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"status":"success"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ref.current = new RawReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return ref.current;
  }

  json<T = Record<string, any>>(): T[] {
    return this.received.map((r) => JSON.parse(r.body) as T);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** An AssumeRole-session call: matches SigmaHQ's "AWS STS AssumeRole Misuse" (low), quiet by default. */
function roleSessionRecord(role: string) {
  return {
    eventVersion: '1.08',
    userIdentity: {
      type: 'AssumedRole',
      principalId: `AROA${role.toUpperCase()}:session`,
      arn: `arn:aws:sts::111122223333:assumed-role/${role}/session`,
      accountId: '111122223333',
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: `arn:aws:iam::111122223333:role/${role}`, accountId: '111122223333', userName: role },
      },
    },
    eventTime: new Date().toISOString(),
    eventSource: 's3.amazonaws.com',
    eventName: 'ListBuckets',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.9',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: null,
    responseElements: null,
    eventID: randomUUID(),
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
  };
}

const ASSUME_ROLE_MISUSE = '905d389b-b853-46d0-9d3d-dea0d3a3cd49';
const ROUTING_KEY = 'R0UT1NGKEYTESTabcdef0123456789AB';
// Both UpdateTrails in the past and well inside one finding window (an hour by default).
const FIRST = new Date(Math.floor((Date.now() - 600_000) / 3_600_000) * 3_600_000 + 60_000);
const settle = (ms = 1500) => new Promise((r) => setTimeout(r, ms));

describe('alerts grouped per event and actor; PagerDuty and Teams formats; quiet rules', () => {
  let t: TestApp;
  let pipeline: Awaited<ReturnType<typeof startPipeline>>;
  let a: TenantSession;
  let accountId: string;
  let standard: RawReceiver;
  let highOnly: RawReceiver;
  let criticalOnly: RawReceiver;
  let pagerduty: RawReceiver;
  let teams: RawReceiver;
  let verifier: Webhook;
  let highOnlyVerifier: Webhook;

  const hook = async (url: string, extra: Record<string, unknown> = {}) =>
    (
      await t.http
        .post('/v1/webhooks')
        .set(a.auth())
        .send({ url, ...extra })
        .expect(201)
    ).body as { id: string; secret: string };
  const findings = async (q = '') =>
    (await t.http.get(`/v1/findings?limit=200${q}`).set(a.auth()).expect(200)).body.data as Array<Record<string, any>>;
  const verify = (w: Webhook, r: RawReceiver['received'][number]) =>
    w.verify(r.body, {
      'webhook-id': String(r.headers['webhook-id']),
      'webhook-timestamp': String(r.headers['webhook-timestamp']),
      'webhook-signature': String(r.headers['webhook-signature']),
    }) as { type: string; timestamp: string; data: Record<string, any> };

  beforeAll(async () => {
    t = await startTestApp();
    pipeline = await startPipeline();
    a = await TenantSession.create(t);
    accountId = await insertAccount(a.tenantId);
    standard = await RawReceiver.start();
    highOnly = await RawReceiver.start();
    criticalOnly = await RawReceiver.start();
    pagerduty = await RawReceiver.start();
    teams = await RawReceiver.start();
    verifier = new Webhook((await hook(`${standard.base}/hook`)).secret);
    highOnlyVerifier = new Webhook((await hook(`${highOnly.base}/hook`, { minSeverity: 'high' })).secret);
    await hook(`${criticalOnly.base}/hook`, { minSeverity: 'critical' });
    await hook(`${pagerduty.base}/v2/enqueue#${ROUTING_KEY}`, { payloadFormat: 'pagerduty' });
    await hook(`${teams.base}/workflows/trigger`, { payloadFormat: 'teams' });
  }, 30_000);

  afterAll(async () => {
    await pipeline?.close();
    await t?.close();
    await Promise.all([standard, highOnly, criticalOnly, pagerduty, teams].map((r) => r?.close()));
  });

  it('refuses a pagerduty endpoint whose URL carries no routing key, with a clear 400', async () => {
    const res = await t.http
      .post('/v1/webhooks')
      .set(a.auth())
      .send({ url: `${pagerduty.base}/v2/enqueue`, payloadFormat: 'pagerduty' })
      .expect(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_url', details: { reason: 'pagerduty_routing_key_missing' } });
  });

  let primaryId = '';

  it('one malicious UpdateTrail: three findings, one signed message naming them all, one page, one card', async () => {
    const record = updateTrailRecord({ by: 'attacker', multiRegion: false, at: FIRST });
    await pipeline.enqueue(a.tenantId, accountId, [record]);
    const raised = await eventually(
      () => findings(),
      (fs) => fs.length === 3,
    );
    expect(raised.map((f) => `${f.severity} ${f.ruleTitle}`).sort()).toEqual([
      'high AWS CloudTrail UpdateTrail with multi-region disabled',
      'medium AWS CloudTrail Important Change',
      'medium AWS CloudTrail UpdateTrail',
    ]);
    expect(new Set(raised.map((f) => f.actor))).toEqual(new Set([actors.attacker]));
    await eventually(
      async () => [standard, highOnly, pagerduty, teams].map((r) => r.received.length),
      (n) => n.every((x) => x >= 1),
    );
    await settle(); // room for a second message, which must not come
    const high = raised.find((f) => f.severity === 'high')!;
    primaryId = high.id;

    // Standard Webhooks: exactly one message, verified; data is the primary finding, as before.
    expect(standard.received).toHaveLength(1);
    const msg = verify(verifier, standard.received[0]!);
    expect(msg.type).toBe('finding.created');
    expect(msg.data).toMatchObject({ id: high.id, ruleTitle: high.ruleTitle, severity: 'high', actor: actors.attacker });
    expect(msg.data.alertGroup).toMatchObject({
      key: `${record.eventID}|${actors.attacker}`,
      eventId: record.eventID,
      actor: actors.attacker,
      severity: 'high',
    });
    const named = (msg.data.alertGroup.findings as Array<{ id: string; severity: string }>).map((f) => f.id);
    expect(named[0]).toBe(high.id);
    expect([...named].sort()).toEqual(raised.map((f) => f.id).sort());

    // minSeverity applies to the group's highest: a high-only endpoint gets it, a critical-only one nothing.
    expect(highOnly.received).toHaveLength(1);
    expect(verify(highOnlyVerifier, highOnly.received[0]!).data.alertGroup.findings).toHaveLength(3);
    expect(criticalOnly.received).toHaveLength(0);

    // PagerDuty: one trigger for the whole group, keyed by the primary finding; the routing key
    // travels in the body only (a URL fragment is never sent).
    expect(pagerduty.received).toHaveLength(1);
    expect(pagerduty.received[0]!.path).toBe('/v2/enqueue');
    const page = pagerduty.json()[0]!;
    expect(page).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: `trailguard:finding:${high.id}`,
      client: 'Trailguard',
    });
    expect(page.payload).toMatchObject({ severity: 'error', source: actors.attacker, class: 'finding.created' });
    expect(page.payload.summary).toContain('[HIGH] AWS CloudTrail UpdateTrail with multi-region disabled');
    expect(page.payload.summary).toContain('+2 more');
    expect(page.payload.custom_details.findings).toHaveLength(3);

    // Teams: one Adaptive Card naming the three findings.
    expect(teams.received).toHaveLength(1);
    const cardMsg = teams.json()[0]!;
    expect(cardMsg.type).toBe('message');
    expect(cardMsg.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = cardMsg.attachments[0].content;
    expect(card.type).toBe('AdaptiveCard');
    const text = JSON.stringify(card.body);
    for (const f of raised) expect(text).toContain(f.id);

    // Trailguard's delivery log shows the PagerDuty body without the routing key.
    const endpoints = (await t.http.get('/v1/webhooks').set(a.auth()).expect(200)).body.data as Array<{
      id: string;
      payloadFormat: string;
    }>;
    const pd = endpoints.find((e) => e.payloadFormat === 'pagerduty')!;
    const log = (await t.http.get(`/v1/webhooks/${pd.id}/deliveries`).set(a.auth()).expect(200)).body.data;
    expect(log[0].payload.routing_key).toBe(`…${ROUTING_KEY.slice(-4)}`);
  }, 30_000);

  it('the same change again: the three findings grow, one finding.updated names them, one trigger on the same incident', async () => {
    expect(primaryId).not.toBe('');
    const [stdBefore, pdBefore] = [standard.received.length, pagerduty.received.length];
    const again = updateTrailRecord({ by: 'attacker', multiRegion: false, at: new Date(FIRST.getTime() + 1000) });
    await pipeline.enqueue(a.tenantId, accountId, [again]);
    await eventually(
      () => findings(),
      (fs) => fs.length === 3 && fs.every((f) => f.eventCount === 2),
    );
    await eventually(
      async () => [standard.received.length, pagerduty.received.length],
      ([s, p]) => s! > stdBefore && p! > pdBefore,
    );
    await settle();
    expect(standard.received.length).toBe(stdBefore + 1);
    const msg = verify(verifier, standard.received[stdBefore]!);
    expect(msg.type).toBe('finding.updated');
    expect(msg.data).toMatchObject({ reason: 'events_added', added: 1, finding: { id: primaryId, eventCount: 2 } });
    expect(msg.data.alertGroup).toMatchObject({ eventId: again.eventID, severity: 'high' });
    expect(msg.data.alertGroup.findings).toHaveLength(3);
    expect(pagerduty.received.length).toBe(pdBefore + 1);
    expect(pagerduty.json()[pdBefore]).toMatchObject({ event_action: 'trigger', dedup_key: `trailguard:finding:${primaryId}` });
  }, 30_000);

  it("a finding's acknowledgement and resolution reach the incident its page opened", async () => {
    expect(primaryId).not.toBe('');
    const pdBefore = pagerduty.received.length;
    const teamsBefore = teams.received.length;
    await t.http.patch(`/v1/findings/${primaryId}`).set(a.auth()).send({ status: 'acknowledged' }).expect(200);
    await eventually(
      async () => pagerduty.received.length,
      (n) => n >= pdBefore + 1,
    );
    await t.http.patch(`/v1/findings/${primaryId}`).set(a.auth()).send({ status: 'resolved' }).expect(200);
    await eventually(
      async () => pagerduty.received.length,
      (n) => n >= pdBefore + 2,
    );
    const [ack, resolve] = pagerduty.json().slice(pdBefore);
    const key = `trailguard:finding:${primaryId}`;
    expect(ack).toEqual({ routing_key: ROUTING_KEY, event_action: 'acknowledge', dedup_key: key });
    expect(resolve).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: key });
    await eventually(
      async () => teams.received.length,
      (n) => n >= teamsBefore + 2,
    );
    expect(JSON.stringify(teams.json()[teamsBefore + 1])).toContain('status acknowledged → resolved');
  }, 30_000);

  it('a quiet rule makes visible findings that never alert, until the tenant turns its alerting on', async () => {
    const rule = (await t.http.get(`/v1/rules/${ASSUME_ROLE_MISUSE}`).set(a.auth()).expect(200)).body;
    expect(rule).toMatchObject({ enabled: true, alerting: false, alertingByDefault: false, level: 'low' });
    const quietList = (await t.http.get('/v1/rules?alerting=false&limit=500').set(a.auth()).expect(200)).body.data as Array<{ id: string }>;
    expect(quietList.map((r) => r.id).sort()).toEqual([...QUIET_BY_DEFAULT.keys()].sort());
    const before = standard.received.length;

    await pipeline.enqueue(a.tenantId, accountId, [roleSessionRecord('Quiet')]);
    const quiet = await eventually(
      () => findings(),
      (fs) => fs.some((f) => f.ruleId === ASSUME_ROLE_MISUSE),
    );
    const quietFinding = quiet.find((f) => f.ruleId === ASSUME_ROLE_MISUSE)!;
    await settle();
    expect(
      standard.received
        .slice(before)
        .map((r) => r.body)
        .join(),
    ).not.toContain(quietFinding.id);
    // Its status changes are not announced either.
    await t.http.patch(`/v1/findings/${quietFinding.id}`).set(a.auth()).send({ status: 'acknowledged' }).expect(200);
    await settle();
    expect(standard.received.length).toBe(before);

    const patched = (await t.http.patch(`/v1/rules/${ASSUME_ROLE_MISUSE}`).set(a.auth()).send({ alerting: true }).expect(200)).body;
    expect(patched).toMatchObject({ alerting: true, alertingByDefault: false, enabled: true });
    await pipeline.enqueue(a.tenantId, accountId, [roleSessionRecord('Loud')]);
    await eventually(
      async () => standard.received.length,
      (n) => n > before,
    );
    const msg = verify(verifier, standard.received[before]!);
    expect(msg.data).toMatchObject({ ruleId: ASSUME_ROLE_MISUSE, actor: 'arn:aws:iam::111122223333:role/Loud', severity: 'low' });
    expect(msg.data.alertGroup.findings.map((f: { id: string }) => f.id)).toEqual([msg.data.id]);

    // null returns the rule to its shipped default.
    await t.http.patch(`/v1/rules/${ASSUME_ROLE_MISUSE}`).set(a.auth()).send({ alerting: null }).expect(200);
    expect((await t.http.get(`/v1/rules/${ASSUME_ROLE_MISUSE}`).set(a.auth()).expect(200)).body.alerting).toBe(false);
  }, 30_000);
  it('sends the test message in each format, and refuses switching an endpoint to pagerduty without a key', async () => {
    const endpoints = (await t.http.get('/v1/webhooks').set(a.auth()).expect(200)).body.data as Array<{
      id: string;
      payloadFormat: string;
    }>;
    const pd = endpoints.find((e) => e.payloadFormat === 'pagerduty')!;
    const tm = endpoints.find((e) => e.payloadFormat === 'teams')!;
    const [pdBefore, tmBefore] = [pagerduty.received.length, teams.received.length];
    expect((await t.http.post(`/v1/webhooks/${pd.id}/test`).set(a.auth()).expect(200)).body.ok).toBe(true);
    expect((await t.http.post(`/v1/webhooks/${tm.id}/test`).set(a.auth()).expect(200)).body.ok).toBe(true);
    expect(pagerduty.json()[pdBefore]).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: `trailguard:test:${pd.id}`,
    });
    expect(teams.json()[tmBefore]!.attachments[0].content.body[0].text).toBe('Test message from Trailguard');
    const res = await t.http.patch(`/v1/webhooks/${tm.id}`).set(a.auth()).send({ payloadFormat: 'pagerduty' }).expect(400);
    expect(res.body.error.details.reason).toBe('pagerduty_routing_key_missing');
  });
});
