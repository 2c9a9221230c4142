import type { INestApplicationContext } from '@nestjs/common';
import { CloudTrailClient, StopLoggingCommand, UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { JobQueue, redisConnection } from '@trailguard/queues';
import { AWS_SDK_ENV_VARS, AwsSimulator, makeCloudTrailRecord } from '@trailguard/testing';
import { ApiClient, waitUntil } from '../scripts/demo/api-client';
import { deployTemplate, setUpCustomerEstate, type CustomerEstate } from '../scripts/demo/customer-aws';
import { ATTACKER_ACCOUNT_ID, INTEGRITY_TITLES, runIntegrityChapter } from '../scripts/demo/integrity-chapter';
import { announcedFindingIds, expectedFindings, runStory } from '../scripts/demo/story';
import type { FindingView } from '../scripts/demo/story-watcher';
import { WebhookReceiver } from '../scripts/demo/webhook-receiver';
import { startTestApp, startTestWorkers, type TestApp } from './support/test-app';
import { testEnv } from './support/test-env';

// The test runs every posture check itself (the scheduled one only at onboarding).
const CONFIG = {
  POLL_INTERVAL_SECONDS: '1',
  POSTURE_INTERVAL_SECONDS: '3600',
  DIGEST_MAX_AGE_SECONDS: '7200',
  DELIVERY_GAP_SECONDS: '3600',
};

type Detail = FindingView & { details: Record<string, unknown> };
const shape = (f: { kind: string; ruleTitle: string; severity: string; status: string; actor: string; eventCount: number }) =>
  `${f.kind} | ${f.ruleTitle} | ${f.severity} | ${f.status} | ${f.actor} | ${f.eventCount}`;

describe('logging-integrity guard: each tampering step against the simulator', () => {
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
    Object.assign(process.env, sim.sdkEnv(platform));
    t = await startTestApp(CONFIG);
    apiUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    workers = await startTestWorkers(CONFIG);
    queue = new JobQueue(redisConnection(testEnv().redisUrl));
  }, 30_000);

  afterAll(async () => {
    await workers?.close();
    await queue?.close();
    await t?.close();
    await Promise.all(receivers.map((r) => r.close()));
    await sim?.stop();
  });

  const posture = (tenantId: string, accountId: string) =>
    queue.add('ingest.posture', { tenantId, accountId }, { jobId: `posture:${accountId}:${Date.now()}-${Math.random()}` });
  const findingsOf = async (api: ApiClient, accountId: string) =>
    (await api.get<{ data: FindingView[] }>(`/v1/findings?accountId=${accountId}&limit=200`)).data;
  const detail = (api: ApiClient, id: string) => api.get<Detail>(`/v1/findings/${id}`);
  const waitFor = (api: ApiClient, accountId: string, title: string) =>
    waitUntil(
      `"${title}"`,
      async () => (await findingsOf(api, accountId)).find((f) => f.ruleTitle === title),
      20_000,
      () => 'not raised',
    );

  it('the demo chapter: bucket moved to the attacker, log file deleted, blind-spot alert; exact findings and links', async () => {
    const receiver = await WebhookReceiver.start();
    receivers.push(receiver);
    const story = await runStory(
      {
        sim,
        apiUrl,
        adminToken: t.adminToken,
        mode: 'polling',
        awsAccountId: '740000000001',
        bucket: 'acme-trail-740000000001',
        timeoutMs: 20_000,
        runPostureCheck: ({ tenantId, accountId }) => posture(tenantId, accountId),
      },
      receiver,
    );
    const api = new ApiClient(apiUrl, story.apiKey);
    const chapter = await runIntegrityChapter({
      sim,
      apiUrl,
      apiKey: story.apiKey,
      accountId: story.accountId,
      estate: story.estate,
      attackerRecords: [story.records.attackerTrail],
      runPostureCheck: ({ accountId }) => posture(story.tenantId, accountId),
      timeoutMs: 20_000,
    });
    await new Promise((done) => setTimeout(done, 1500));
    const findings = await findingsOf(api, story.accountId);
    const mallory = story.estate.mallory.arn;

    // Exactly the story's findings, the bucket move counted in the UpdateTrail findings, and the chapter's two.
    const expected = expectedFindings(story.estate).map((e) =>
      e.actor === mallory && ['AWS CloudTrail UpdateTrail', 'AWS CloudTrail Important Change'].includes(e.ruleTitle)
        ? { ...e, eventCount: 2 }
        : e,
    );
    expected.push(
      { kind: 'posture', ruleTitle: INTEGRITY_TITLES.foreignBucket, severity: 'high', status: 'open', actor: mallory, eventCount: 0 },
      { kind: 'posture', ruleTitle: INTEGRITY_TITLES.logDeleted, severity: 'high', status: 'open', actor: 'unknown', eventCount: 0 },
    );
    expect(findings.map(shape).sort()).toEqual(expected.map(shape).sort());

    // The drift names before and after, whose bucket it is now, and the very UpdateTrail call that moved it.
    const drift = await detail(api, findings.find((f) => f.ruleTitle === INTEGRITY_TITLES.foreignBucket)!.id);
    expect(drift.details).toMatchObject({
      drift: 'bucket_changed',
      before: { s3Bucket: story.estate.bucket, s3KeyPrefix: null },
      after: { s3Bucket: chapter.attackerBucket, s3KeyPrefix: null },
      bucketOwnership: { bucket: chapter.attackerBucket, confirmedOwner: null, reason: 'not_owned_by_registered_accounts' },
      cause: { eventIds: [chapter.bucketMove.eventID] },
    });
    const cause = await api.get<{ id: string; ruleTitle: string; evidence: Array<{ record: { eventID: string } }> }>(
      `/v1/findings/${drift.relatedFindingId}`,
    );
    expect(cause.evidence.map((e) => e.record.eventID)).toContain(chapter.bucketMove.eventID);
    expect(ATTACKER_ACCOUNT_ID).not.toBe(story.estate.accountId);

    // The integrity finding names the deleted file and the signed digest that lists it.
    const deleted = await detail(api, findings.find((f) => f.ruleTitle === INTEGRITY_TITLES.logDeleted)!.id);
    expect(deleted.details).toMatchObject({
      bucket: story.estate.bucket,
      issues: [
        {
          kind: 'log_file_deleted',
          object: chapter.deletedLogKey,
          digestKey: chapter.digestKey,
          trailName: story.estate.trailName,
          region: 'us-east-1',
        },
      ],
    });
    expect(deleted.relatedFindingId).toBeNull();

    // Every new alert reaches the webhook, signed.
    await waitUntil(
      'the chapter webhooks',
      async () => {
        // One message may announce several findings of one event (data.alertGroup).
        const announced = new Set(
          receiver.received.filter((w) => w.type === 'finding.created').flatMap((w) => announcedFindingIds(w.data)),
        );
        return findings.filter((f) => f.status === 'open').every((f) => announced.has(f.id));
      },
      30_000,
      () => receiver.received.map((w) => w.type).join(', '),
    );
    expect(receiver.received.every((w) => w.verified)).toBe(true);
  }, 90_000);

  describe('step by step on an account read through S3', () => {
    let api: ApiClient;
    let tenantId: string;
    let accountId: string;
    let estate: CustomerEstate;
    const region = 'us-east-1';

    beforeAll(async () => {
      const operator = new ApiClient(apiUrl);
      const tenant = await operator.post<{ tenant: { id: string }; apiKey: { key: string } }>(
        '/v1/tenants',
        { name: `integrity-${Date.now()}` },
        { headers: { 'x-admin-token': t.adminToken }, bearer: null },
      );
      tenantId = tenant.tenant.id;
      api = operator.withKey(tenant.apiKey.key);
      estate = setUpCustomerEstate(sim, { accountId: '740000000002', bucket: 'trail-740000000002' });
      const created = await api.post<{ id: string; template: unknown }>('/v1/aws-accounts', {
        name: 'integrity',
        regions: [region, 'us-west-2'],
        polling: true,
        s3Bucket: estate.bucket,
      });
      accountId = created.id;
      const roleArn = deployTemplate(sim, estate.accountId, created.template);
      await api.post(`/v1/aws-accounts/${accountId}/verify`, { roleArn });
    }, 30_000);

    const mallory = () =>
      new CloudTrailClient({
        region,
        credentials: { accessKeyId: estate.mallory.accessKeyId, secretAccessKey: estate.mallory.secretAccessKey },
      });
    const logFile = (n: number, time?: Date, r = region) =>
      sim.putLogFile(estate.bucket, {
        accountId: estate.accountId,
        region: r,
        records: [makeCloudTrailRecord({ accountId: estate.accountId, eventName: `Describe${n}`, awsRegion: r, readOnly: true })],
        ...(time ? { time } : {}),
      });

    it('records the baseline at verification and again when an admin accepts the current state', async () => {
      const verified = await api.get<{ trailBaseline: { takenBy: string; trails: unknown[] }; trailBaselineAt: string }>(
        `/v1/aws-accounts/${accountId}`,
      );
      expect(verified.trailBaseline).toMatchObject({
        takenBy: 'verification',
        trails: [expect.objectContaining({ name: estate.trailName, logFileValidation: true })],
      });
      const accepted = await api.post<{ trailBaseline: { takenBy: string; trails: Array<Record<string, unknown>> } }>(
        `/v1/aws-accounts/${accountId}/trail-baseline`,
      );
      expect(accepted.trailBaseline.takenBy).toMatch(/^api-key:/);
      expect(accepted.trailBaseline.trails).toEqual([
        expect.objectContaining({
          name: estate.trailName,
          isMultiRegion: true,
          isLogging: true,
          s3Bucket: estate.bucket,
          logFileValidation: true,
          kmsKeyId: null,
          isOrganizationTrail: false,
        }),
      ]);
      // Accepting a baseline is an admin's act.
      const viewer = await api.post<{ key: string }>('/v1/api-keys', { name: 'viewer', role: 'viewer' });
      const denied = await new ApiClient(apiUrl, viewer.key).call('POST', `/v1/aws-accounts/${accountId}/trail-baseline`, {
        body: {},
        expect: [403],
      });
      expect(denied).toMatchObject({ error: { code: 'forbidden' } });
    });

    it('a genuine chain is clean; a modified log file and a deleted digest are reported', async () => {
      logFile(1);
      sim.deliverDigest(estate.accountId, estate.trailName, region, new Date(Date.now() - 50 * 60_000));
      await posture(tenantId, accountId);
      await new Promise((done) => setTimeout(done, 2500));
      expect((await findingsOf(api, accountId)).filter((f) => f.kind === 'posture')).toEqual([]);

      const modified = logFile(2);
      const second = sim.deliverDigest(estate.accountId, estate.trailName, region, new Date(Date.now() - 40 * 60_000));
      sim.tamperObject(estate.bucket, modified, 'alter');
      logFile(3);
      const third = sim.deliverDigest(estate.accountId, estate.trailName, region, new Date(Date.now() - 30 * 60_000));
      const fourth = sim.deliverDigest(estate.accountId, estate.trailName, region, new Date(Date.now() - 20 * 60_000));
      sim.tamperObject(estate.bucket, third, 'delete');
      await posture(tenantId, accountId);
      const mod = await detail(api, (await waitFor(api, accountId, 'CloudTrail log file modified after delivery')).id);
      expect(mod.details).toMatchObject({ issues: [{ kind: 'log_file_modified', object: modified, digestKey: second }] });
      const missing = await detail(api, (await waitFor(api, accountId, 'CloudTrail digest missing: the digest chain is broken')).id);
      expect(missing.details).toMatchObject({ issues: [{ kind: 'digest_missing', object: third, digestKey: fourth }] });
    }, 30_000);

    it('digest delivery stopped, and a region active but unlogged since its last log file', async () => {
      // us-west-2: the last digest and the last log file are three hours old, yet LookupEvents shows activity now.
      const old = new Date(Date.now() - 3 * 3600_000);
      logFile(9, old, 'us-west-2');
      const lastDigest = sim.deliverDigest(estate.accountId, estate.trailName, 'us-west-2', old);
      sim.appendEvents(estate.accountId, 'us-west-2', [
        makeCloudTrailRecord({ accountId: estate.accountId, awsRegion: 'us-west-2', eventName: 'RunInstances', readOnly: false }),
      ]);
      await waitUntil(
        'the S3 read and the poll of us-west-2',
        async () => {
          const account = await api.get<{ health: Array<{ source: string; region: string; eventsIngested: number }> }>(
            `/v1/aws-accounts/${accountId}`,
          );
          const of = (source: string) => account.health.find((h) => h.source === source && h.region === 'us-west-2')?.eventsIngested ?? 0;
          return of('s3') >= 1 && of('polling') >= 1;
        },
        20_000,
        () => 'not yet',
      );
      await posture(tenantId, accountId);
      const stopped = await detail(api, (await waitFor(api, accountId, 'CloudTrail digest delivery stopped')).id);
      expect(stopped.details).toMatchObject({ trailName: estate.trailName, region: 'us-west-2', lastDigest });
      const gap = await detail(api, (await waitFor(api, accountId, 'Region active but unlogged: no trail log file delivered')).id);
      expect(gap).toMatchObject({ region: 'us-west-2', severity: 'high' });
      expect(gap.details).toMatchObject({
        region: 'us-west-2',
        unloggedSince: new Date(Math.floor(old.getTime() / 60_000) * 60_000).toISOString(),
      });
    }, 40_000);
    it('validation disabled and logging stopped are drifts linked to the calls that made them', async () => {
      const ct = mallory();
      await ct.send(new UpdateTrailCommand({ Name: estate.trailName, EnableLogFileValidation: false }));
      await ct.send(new StopLoggingCommand({ Name: estate.trailName }));
      ct.destroy();
      const calls = sim.events(estate.accountId, region).filter((r) => ['UpdateTrail', 'StopLogging'].includes(r.eventName));
      await waitUntil(
        'both calls detected',
        async () => {
          const all = await findingsOf(api, accountId);
          return (
            all.some((f) => f.ruleTitle === 'AWS CloudTrail UpdateTrail') &&
            all.some((f) => f.ruleTitle === 'AWS CloudTrail Important Change' && f.eventCount >= 2)
          );
        },
        20_000,
        () => 'not yet',
      );
      await posture(tenantId, accountId);
      const validation = await detail(api, (await waitFor(api, accountId, 'CloudTrail log file validation disabled')).id);
      expect(validation).toMatchObject({
        severity: 'medium',
        actor: estate.mallory.arn,
        details: { drift: 'validation_disabled', before: true, after: false },
      });
      expect((validation.details.cause as { eventIds: string[] }).eventIds).toEqual([
        calls.find((c) => c.eventName === 'UpdateTrail')!.eventID,
      ]);
      const stopped = await detail(api, (await waitFor(api, accountId, 'CloudTrail trail stopped logging since its baseline')).id);
      expect(stopped).toMatchObject({ severity: 'high', details: { drift: 'logging_stopped', before: true, after: false } });
      expect((stopped.details.cause as { eventIds: string[] }).eventIds).toEqual([
        calls.find((c) => c.eventName === 'StopLogging')!.eventID,
      ]);

      // Trail changes detected later do not re-link integrity findings that have no trail-change cause.
      const modified = (await findingsOf(api, accountId)).find((f) => f.ruleTitle === 'CloudTrail log file modified after delivery')!;
      expect(modified.relatedFindingId).toBeNull();
      // A drift that lasts is one finding, not one per posture run.
      await posture(tenantId, accountId);
      await new Promise((done) => setTimeout(done, 2000));
      expect((await findingsOf(api, accountId)).filter((f) => f.ruleTitle === 'CloudTrail log file validation disabled')).toHaveLength(1);
    }, 40_000);
  });
});
