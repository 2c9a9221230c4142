import type { INestApplicationContext } from '@nestjs/common';
import { JobQueue } from '@trailguard/queues';
import { AWS_SDK_ENV_VARS, AwsSimulator } from '@trailguard/testing';
import { ApiClient } from '../scripts/demo/api-client';
import { announcedFindingIds, expectedFindings, RULE_TITLES, runStory, type IngestMode, type StoryResult } from '../scripts/demo/story';
import { WebhookReceiver } from '../scripts/demo/webhook-receiver';
import { startTestApp, startTestWorkers, type TestApp } from './support/test-app';
import { testJobQueue } from './support/test-env';

// Polling every second; the scheduled posture check only once (at onboarding): the test runs the
// next one itself, after detection, so which finding it links to does not depend on timing.
const CONFIG = { POLL_INTERVAL_SECONDS: '1', POSTURE_INTERVAL_SECONDS: '3600' };

const shape = (f: { kind: string; ruleTitle: string; severity: string; status: string; actor: string; eventCount: number }) =>
  `${f.kind} | ${f.ruleTitle} | ${f.severity} | ${f.status} | ${f.actor} | ${f.eventCount}`;

describe('the attack story (admin change suppressed, trail narrowed, attacker in another region)', () => {
  let sim: AwsSimulator;
  let t: TestApp;
  let workers: INestApplicationContext;
  let queue: JobQueue;
  let apiUrl: string;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    sim = new AwsSimulator();
    await sim.start();
    const platform = sim.createPlatformAccount({ accountId: '999988887777' });
    for (const k of AWS_SDK_ENV_VARS) delete process.env[k];
    // The standard SDK settings only, as an operator would point Trailguard at an emulator, and by
    // the name `localhost`: S3 buckets then cannot be host names (`<bucket>.localhost` does not
    // resolve here), so this also proves the S3 clients address buckets path-style.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: sim.endpoint.replace('127.0.0.1', 'localhost'),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: platform.accessKeyId,
      AWS_SECRET_ACCESS_KEY: platform.secretAccessKey,
    });
    t = await startTestApp(CONFIG);
    apiUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    workers = await startTestWorkers(CONFIG);
    queue = testJobQueue();
  }, 30_000);

  afterAll(async () => {
    await workers?.close();
    await queue?.close();
    await t?.close();
    await Promise.all(receivers.map((r) => r.close()));
    await sim?.stop();
  });

  async function play(mode: IngestMode, awsAccountId: string): Promise<{ r: StoryResult; api: ApiClient }> {
    const receiver = await WebhookReceiver.start();
    receivers.push(receiver);
    const r = await runStory(
      {
        sim,
        apiUrl,
        adminToken: t.adminToken,
        mode,
        awsAccountId,
        bucket: `acme-trail-${awsAccountId}`,
        timeoutMs: 20_000,
        // What the scheduler queues when the check falls due.
        runPostureCheck: ({ tenantId, accountId }) =>
          queue.add('ingest.posture', { tenantId, accountId }, { jobId: `posture:${accountId}:story-${Date.now()}` }),
      },
      receiver,
    );
    // Give a stray delivery (a duplicate, an update) the time to show up before counting.
    await new Promise((done) => setTimeout(done, 2500));
    return { r: { ...r, webhooks: [...receiver.received] }, api: new ApiClient(apiUrl, r.apiKey) };
  }

  async function assertStory(mode: IngestMode, { r, api }: { r: StoryResult; api: ApiClient }) {
    const attacker = r.estate.mallory.arn;
    const findings = (await api.get<{ data: StoryResult['findings'] }>(`/v1/findings?accountId=${r.accountId}&limit=200`)).data;

    // Exactly the story's findings: titles, severities, statuses, actors, event counts.
    expect(findings.map(shape).sort()).toEqual(expectedFindings(r.estate).map(shape).sort());
    const suppressed = findings.filter((f) => f.status === 'suppressed');
    const open = findings.filter((f) => f.status === 'open');
    expect(suppressed.every((f) => f.allowlistEntryId === r.allowlistEntryId && f.actor === r.estate.adminRoleArn)).toBe(true);
    expect(open.every((f) => f.allowlistEntryId === null)).toBe(true);
    expect(findings.find((f) => f.ruleTitle === RULE_TITLES.keyPairImport)?.region).toBe('us-west-2');

    // The high finding's evidence is the record the SDK call produced; the posture finding points at the attacker's change.
    const high = open.find((f) => f.ruleTitle === RULE_TITLES.multiRegionDisabled)!;
    const detail = await api.get<{ evidence: Array<{ record: { eventID: string; requestParameters: { isMultiRegionTrail: boolean } } }> }>(
      `/v1/findings/${high.id}`,
    );
    expect(detail.evidence.map((e) => e.record.eventID)).toEqual([r.records.attackerTrail.eventID]);
    expect(detail.evidence[0]!.record.requestParameters.isMultiRegionTrail).toBe(false);
    const posture = findings.find((f) => f.ruleTitle === RULE_TITLES.posture)!;
    const trailChanges = open.filter(
      (f) =>
        f.actor === attacker &&
        [RULE_TITLES.updateTrail, RULE_TITLES.multiRegionDisabled, RULE_TITLES.importantChange].includes(f.ruleTitle as never),
    );
    expect(trailChanges).toHaveLength(3);
    expect(trailChanges.map((f) => f.id)).toContain(posture.relatedFindingId);

    // Drift from the baseline taken at verification: before and after, linked like the posture finding.
    const drift = findings.find((f) => f.ruleTitle === RULE_TITLES.multiRegionDrift)!;
    expect(trailChanges.map((f) => f.id)).toContain(drift.relatedFindingId);
    const driftDetail = await api.get<{ details: Record<string, unknown> }>(`/v1/findings/${drift.id}`);
    expect(driftDetail.details).toMatchObject({
      drift: 'multi_region_disabled',
      trail: { name: r.estate.trailName, homeRegion: 'us-east-1' },
      before: true,
      after: false,
      cause: { findingId: drift.relatedFindingId },
    });
    // The blind spot: the narrowing then mallory's writes elsewhere, in one critical alert (which of
    // her two writes completes it depends on the order the ingestion mode hands events over).
    const blind = findings.find((f) => f.ruleTitle === RULE_TITLES.blindSpot)!;
    const blindDetail = await api.get<{ details: { eventIds: string[]; group: Record<string, string> } }>(`/v1/findings/${blind.id}`);
    const elsewhere = r.records.attackerElsewhere.map((e) => e.eventID);
    expect(blindDetail.details.eventIds).toContain(r.records.attackerTrail.eventID);
    expect(blindDetail.details.eventIds.filter((id) => elsewhere.includes(id)).length).toBeGreaterThanOrEqual(1);
    expect(blindDetail.details.eventIds.every((id) => id === r.records.attackerTrail.eventID || elsewhere.includes(id))).toBe(true);
    expect(blindDetail.details.group).toEqual({ 'userIdentity.arn': attacker });
    expect(r.account.posture?.hasLoggingMultiRegionTrail).toBe(false);

    // Webhooks: each non-suppressed finding announced once, plus the posture change; all signed
    // right. Findings one event raised for one actor share one message, its data the highest:
    // the attacker's UpdateTrail raised three (one message, the high one first); the blind-spot
    // alert joins the finding of whichever write completed it.
    expect(r.webhooks.every((w) => w.verified)).toBe(true);
    const created = r.webhooks.filter((w) => w.type === 'finding.created');
    expect(r.webhooks.filter((w) => w.type !== 'finding.created').map((w) => w.type)).toEqual(['posture.changed']);
    // The blind-spot alert shares the message of the event that completed it when that event raised
    // other findings too (the narrowing or the key-pair import; which one depends on arrival order).
    const blindEvent = (await api.get<{ evidence: Array<{ record: { eventID: string } }> }>(`/v1/findings/${blind.id}`)).evidence[0]!.record
      .eventID;
    const blindShares = blindEvent === r.records.attackerTrail.eventID || blindEvent === r.records.attackerElsewhere[0]!.eventID;
    expect(created).toHaveLength(open.length - 2 - (blindShares ? 1 : 0));
    expect(new Set(r.webhooks.map((w) => w.webhookId)).size).toBe(r.webhooks.length);
    const announced = created.flatMap((w) => announcedFindingIds(w.data));
    expect(announced.sort()).toEqual(open.map((f) => f.id).sort());
    const withBlind = blindEvent === r.records.attackerTrail.eventID ? [blind] : [];
    // The message names its most severe finding: the critical blind-spot alert when it shares the narrowing's message.
    const trailAlert = created.find((w) => announcedFindingIds(w.data).includes(high.id))!;
    expect(trailAlert.data.id).toBe(withBlind.length ? blind.id : high.id);
    const group = trailAlert.data.alertGroup as { eventId: string; actor: string; severity: string; findings: Array<{ id: string }> };
    expect(group).toMatchObject({
      eventId: r.records.attackerTrail.eventID,
      actor: attacker,
      severity: withBlind.length ? 'critical' : 'high',
    });
    expect(group.findings.map((f) => f.id).sort()).toEqual([...trailChanges, ...withBlind].map((f) => f.id).sort());
    for (const w of created) {
      // The data is always the group's most severe finding.
      const g = w.data.alertGroup as { severity: string; findings: Array<{ severity: string }> } | undefined;
      if (g) expect(g.findings[0]!.severity).toBe(w.data.severity);
    }
    for (const f of suppressed) expect(JSON.stringify(r.webhooks)).not.toContain(f.id);
    const change = r.webhooks.find((w) => w.type === 'posture.changed')!.data;
    expect(change).toMatchObject({
      accountId: r.accountId,
      findingId: posture.id,
      posture: { hasLoggingMultiRegionTrail: false },
      previous: { hasLoggingMultiRegionTrail: true },
    });
    // Trailguard's own delivery log agrees with what the receiver saw.
    const deliveries = (
      await api.get<{ data: Array<{ messageId: string; status: string; attemptCount: number }> }>(
        `/v1/webhooks/${r.webhook.id}/deliveries?limit=50`,
      )
    ).data;
    expect(deliveries.map((d) => [d.messageId, d.status, d.attemptCount]).sort()).toEqual(
      r.webhooks.map((w) => [w.webhookId, 'succeeded', 1]).sort(),
    );

    // Ingestion: both regions, two events each (admin + attacker UpdateTrail; ImportKeyPair + RunInstances), no errors.
    const health = r.account.health.map((h) => [h.source, h.region, h.eventsIngested, h.lastError]);
    const expectedHealth =
      mode === 'eventbridge'
        ? [['eventbridge', 'all', 4, null]]
        : [
            [mode, 'us-east-1', 2, null],
            [mode, 'us-west-2', 2, null],
          ];
    expect(health.sort()).toEqual(expectedHealth.sort());
  }

  it('through LookupEvents polling', async () => {
    await assertStory('polling', await play('polling', '730000000001'));
  }, 45_000);

  it('through gzipped log files in the trail bucket', async () => {
    await assertStory('s3', await play('s3', '730000000002'));
  }, 45_000);

  it('through EventBridge push to the ingest endpoint', async () => {
    await assertStory('eventbridge', await play('eventbridge', '730000000003'));
  }, 45_000);
});
