import { gzipSync } from 'node:zlib';
import { makeCloudTrailRecord } from '@trailguard/testing';
import { detectBatches, onboard, startHarness, waitFor, type Harness } from './aws-harness';

describe('S3 log files, EventBridge push and uploads', () => {
  let h: Harness;
  let account: Awaited<ReturnType<typeof onboard>>;
  const acct = '720000000001';
  const records = Array.from({ length: 5 }, () => makeCloudTrailRecord({ accountId: acct }));
  const envelope = (detail: object, detailType = 'AWS API Call via CloudTrail') => ({
    version: '0',
    id: 'e',
    'detail-type': detailType,
    source: 'aws.ec2',
    detail,
  });

  beforeAll(async () => {
    h = await startHarness({ POLL_INTERVAL_SECONDS: '1' });
    h.sim.createAccount(acct);
    h.sim.createBucket('acme-logs-720', acct);
    h.sim.putLogFile('acme-logs-720', { accountId: acct, region: 'us-east-1', records: [] });
    account = await onboard(h, h.a, { awsAccountId: acct, polling: false, s3Bucket: 'acme-logs-720' });
  }, 30_000);
  afterAll(() => h.close());

  it('reads new S3 log files incrementally, skips a malformed one, and EventBridge pushes of the same events carry the same eventIDs', async () => {
    expect(account.verified.status).toBe('active');
    h.sim.putLogFile('acme-logs-720', { accountId: acct, region: 'us-east-1', records });
    h.sim.putObject(
      'acme-logs-720',
      `AWSLogs/${acct}/CloudTrail/us-east-1/2030/01/01/${acct}_CloudTrail_us-east-1_bad.json.gz`,
      'not gzip',
    );
    await h.startWorkers();
    const s3Ids = await waitFor('S3 batch', async () => {
      const ids = (await detectBatches(h.detect, h.a.tenantId, account.id)).filter((b) => b.source === 's3').flatMap((b) => b.eventIds);
      return ids.length === 5 ? ids : null;
    });
    const health = await waitFor('malformed file recorded', async () => {
      const r = await h.t.http.get(`/v1/aws-accounts/${account.id}`).set(h.a.auth());
      return r.body.health.find((x: { source: string; lastError: string | null }) => x.source === 's3' && x.lastError);
    });
    expect(health.lastError).toMatch(/malformed log file .*_bad\.json\.gz/);
    expect(health.lastKey).toMatch(/_bad\.json\.gz$/);

    const pushed = await h.t.http
      .post(`/v1/ingest/eventbridge/${account.id}`)
      .set('Authorization', `Bearer ${account.ingestToken}`)
      .send([
        ...records.map((r) => envelope(r)),
        envelope({ eventID: 'x' }, 'AWS Console Sign In via CloudTrail'),
        42,
        envelope({ eventID: 'y' }),
      ])
      .expect(202);
    expect(pushed.body).toMatchObject({ accepted: 5, rejected: 3, batches: 1 });
    expect(pushed.body.errors.map((e: { position: number; code: string }) => [e.position, e.code])).toEqual([
      [5, 'unsupported_detail_type'],
      [6, 'not_an_event'],
      [7, 'not_cloudtrail'],
    ]);
    const single = await h.t.http
      .post(`/v1/ingest/eventbridge/${account.id}`)
      .set('X-Ingest-Token', account.ingestToken)
      .send(envelope(records[0]!))
      .expect(202);
    expect(single.body).toMatchObject({ accepted: 1, rejected: 0 });
    const ebIds = (await detectBatches(h.detect, h.a.tenantId, account.id))
      .filter((b) => b.source === 'eventbridge')
      .flatMap((b) => b.eventIds);
    expect(new Set(ebIds)).toEqual(new Set(s3Ids));
    expect(new Set(s3Ids)).toEqual(new Set(records.map((r) => r.eventID)));
  }, 40_000);

  it('refuses a bad or rotated ingest token with the same 401', async () => {
    const wrong = await h.t.http.post(`/v1/ingest/eventbridge/${account.id}`).set('X-Ingest-Token', 'tgi_wrong').send([]).expect(401);
    const none = await h.t.http.post(`/v1/ingest/eventbridge/${account.id}`).send([]).expect(401);
    const notUuid = await h.t.http.post('/v1/ingest/eventbridge/abc').set('X-Ingest-Token', account.ingestToken).send([]).expect(401);
    expect(new Set([wrong.body.error.message, none.body.error.message, notUuid.body.error.message]).size).toBe(1);
    const rotated = await h.t.http.post(`/v1/aws-accounts/${account.id}/rotate-ingest-token`).set(h.a.auth()).expect(200);
    await h.t.http.post(`/v1/ingest/eventbridge/${account.id}`).set('X-Ingest-Token', account.ingestToken).send([]).expect(401);
    await h.t.http.post(`/v1/ingest/eventbridge/${account.id}`).set('X-Ingest-Token', rotated.body.ingestToken).send([]).expect(202);
  });

  describe('upload', () => {
    const url = () => `/v1/aws-accounts/${account.id}/events`;
    const ups = Array.from({ length: 3 }, () => makeCloudTrailRecord({ accountId: acct }));

    it('accepts a log file {"Records":[...]} as JSON', async () => {
      const { key } = await h.a.key('analyst');
      const res = await h.t.http.post(url()).set(h.a.auth(key)).send({ Records: ups }).expect(202);
      expect(res.body).toEqual({ accepted: 3, rejected: 0, errors: [], batches: 1 });
    });

    it('reports a malformed NDJSON line by its position and accepts the rest', async () => {
      const body = [JSON.stringify(ups[0]), '{not json', JSON.stringify(ups[1]), JSON.stringify({ eventName: 'X', eventSource: 'y' })].join(
        '\n',
      );
      const res = await h.t.http.post(url()).set(h.a.auth()).set('Content-Type', 'application/x-ndjson').send(body).expect(202);
      expect(res.body).toMatchObject({ accepted: 2, rejected: 2, batches: 1 });
      expect(res.body.errors.map((e: { position: number; code: string }) => [e.position, e.code])).toEqual([
        [2, 'invalid_json'],
        [4, 'missing_event_id'],
      ]);
    });

    it('accepts gzip of a log file and of NDJSON (as a type or a Content-Encoding)', async () => {
      const gzDoc = gzipSync(JSON.stringify({ Records: ups }));
      const a = await h.t.http.post(url()).set(h.a.auth()).set('Content-Type', 'application/gzip').send(gzDoc).expect(202);
      expect(a.body.accepted).toBe(3);
      const gzNd = gzipSync(ups.map((r) => JSON.stringify(r)).join('\n'));
      const b = await h.t.http
        .post(url())
        .set(h.a.auth())
        .set('Content-Type', 'application/x-ndjson')
        .set('Content-Encoding', 'gzip')
        .send(gzNd)
        .expect(202);
      expect(b.body.accepted).toBe(3);
      const ids = (await detectBatches(h.detect, h.a.tenantId, account.id)).filter((x) => x.source === 'upload').flatMap((x) => x.eventIds);
      expect(new Set(ids)).toEqual(new Set(ups.map((r) => r.eventID)));
    });

    it('answers 415 for another content type and 400 for corrupt gzip', async () => {
      const wrong = await h.t.http.post(url()).set(h.a.auth()).set('Content-Type', 'text/plain').send('hello').expect(415);
      expect(wrong.body.error.code).toBe('unsupported_media_type');
      const corrupt = Buffer.concat([gzipSync('{"Records":[]}').subarray(0, 12), Buffer.from('garbage')]);
      const bad = await h.t.http.post(url()).set(h.a.auth()).set('Content-Type', 'application/gzip').send(corrupt).expect(400);
      expect(bad.body.error.code).toBe('corrupt_gzip');
      const { key } = await h.a.key('viewer');
      await h.t.http.post(url()).set(h.a.auth(key)).send({ Records: ups }).expect(403);
    });

    it('shows upload and push totals in the account health', async () => {
      const r = await h.t.http.get(`/v1/aws-accounts/${account.id}`).set(h.a.auth()).expect(200);
      const by = (source: string) => r.body.health.find((x: { source: string }) => x.source === source);
      expect(by('upload')).toMatchObject({ region: 'all', eventsIngested: 11 });
      expect(by('eventbridge').eventsIngested).toBe(6);
    });
  });
});
