import { Client } from 'pg';
import { READ_ONLY_TRAIL_PERMISSIONS } from '@trailguard/testing';
import { onboard, PLATFORM_ACCOUNT, startHarness, type Harness } from './aws-harness';
import { startTestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';
import { testEnv } from './support/test-env';

describe('AWS account onboarding', () => {
  let h: Harness;
  let db: Client;

  beforeAll(async () => {
    h = await startHarness();
    db = new Client({ connectionString: testEnv().ownerUrl });
    await db.connect();
  }, 30_000);
  afterAll(async () => {
    await db.end();
    await h.close();
  });

  it('registers an account: ExternalId, least-privilege template, launch URL, platform account, ingest token once', async () => {
    const res = await h.t.http.post('/v1/aws-accounts').set(h.a.auth()).send({ name: 'prod', s3Bucket: 'acme-trail' }).expect(201);
    expect(res.body).toMatchObject({
      name: 'prod',
      status: 'pending',
      regions: ['us-east-1'],
      polling: true,
      platformAccountId: PLATFORM_ACCOUNT,
    });
    expect(res.body.externalId).toMatch(/^tg-[\w-]{32}$/);
    expect(res.body.ingestToken).toMatch(/^tgi_[\w-]{43}$/);
    const trust = res.body.template.Resources.TrailguardRole.Properties.AssumeRolePolicyDocument.Statement[0];
    expect(trust).toMatchObject({
      Principal: { AWS: `arn:aws:iam::${PLATFORM_ACCOUNT}:root` },
      Condition: { StringEquals: { 'sts:ExternalId': res.body.externalId } },
    });
    const actions = res.body.template.Resources.TrailguardRole.Properties.Policies[0].PolicyDocument.Statement.flatMap(
      (s: { Action: string | string[] }) => s.Action,
    );
    expect([...actions].sort()).toEqual([...READ_ONLY_TRAIL_PERMISSIONS].sort());
    expect(res.body.launchUrl).toContain('/cloudformation/home?region=us-east-1#/stacks/quickcreate?');
    // The template the launch URL points at is served without a key and is the same template.
    const templateUrl = new URLSearchParams(new URL(res.body.launchUrl).hash.split('?')[1]).get('templateURL')!;
    const served = await h.t.http.get(new URL(templateUrl).pathname + new URL(templateUrl).search).expect(200);
    expect(served.body).toEqual(res.body.template);
    const other = await h.t.http.post('/v1/aws-accounts').set(h.a.auth()).send({ name: 'other', polling: false }).expect(201);
    expect(other.body.externalId).not.toBe(res.body.externalId);
    // Shown once: never in reads.
    const got = await h.t.http.get(`/v1/aws-accounts/${res.body.id}`).set(h.a.auth()).expect(200);
    expect(JSON.stringify(got.body)).not.toContain(res.body.ingestToken);
    expect(got.body).toMatchObject({ hasIngestToken: true, externalId: res.body.externalId });
    expect(got.body).not.toHaveProperty('ingestTokenHash');
  });

  it('with ONBOARDING_TEMPLATE_BUCKET, puts the template on S3 behind a presigned launch link, and gives a fresh one on request', async () => {
    const bucket = 'tg-onboarding-templates';
    const app = await startTestApp({ ONBOARDING_TEMPLATE_BUCKET: bucket });
    try {
      const s = await TenantSession.create(app);
      const templateUrlOf = (launchUrl: string) => new URLSearchParams(new URL(launchUrl).hash.split('?')[1]).get('templateURL')!;
      // The bucket does not exist yet: a clear 503, and no account half-registered.
      const refused = await app.http.post('/v1/aws-accounts').set(s.auth()).send({ name: 'prod' }).expect(503);
      expect(refused.body.error).toMatchObject({ code: 'template_publish_failed', message: expect.stringContaining(`s3://${bucket}`) });
      expect((await app.http.get('/v1/aws-accounts').set(s.auth()).expect(200)).body.data).toEqual([]);

      h.sim.createBucket(bucket, PLATFORM_ACCOUNT);
      const res = await app.http.post('/v1/aws-accounts').set(s.auth()).send({ name: 'prod' }).expect(201);
      const templateUrl = templateUrlOf(res.body.launchUrl);
      expect(res.body.templateUrl).toBe(templateUrl);
      expect(new URL(templateUrl).pathname).toMatch(new RegExp(`^/${bucket}/trailguard/cloudformation/[0-9a-f]{40}\\.json$`));
      expect(new URL(templateUrl).searchParams.get('X-Amz-Expires')).toBe(String(7 * 24 * 3600));
      const fetched = await fetch(templateUrl);
      expect(fetched.status).toBe(200);
      expect(await fetched.json()).toEqual(res.body.template);
      expect((await fetch(templateUrl.replace(/X-Amz-Signature=[0-9a-f]+/, `X-Amz-Signature=${'0'.repeat(64)}`))).status).toBe(403);

      const again = await app.http.get(`/v1/aws-accounts/${res.body.id}/onboarding`).set(s.auth()).expect(200);
      expect(again.body).toMatchObject({ accountId: res.body.id, externalId: res.body.externalId, template: res.body.template });
      expect(await (await fetch(templateUrlOf(again.body.launchUrl))).json()).toEqual(res.body.template);
      const viewer = await s.key('viewer');
      await app.http.get(`/v1/aws-accounts/${res.body.id}/onboarding`).set(s.auth(viewer.key)).expect(403);
      await app.http.get(`/v1/aws-accounts/${res.body.id}/onboarding`).set(h.b.auth()).expect(404);
    } finally {
      await app.close();
    }
  });

  it('verifies with the right ExternalId: active, per-permission results, account id from the ARN, announced', async () => {
    const { id, verified } = await onboard(h, h.a, { awsAccountId: '710000000001' });
    expect(verified).toMatchObject({ status: 'active', statusReason: null, awsAccountId: '710000000001' });
    expect(verified.verification.assumeRole).toEqual({ permission: 'sts:AssumeRole', ok: true });
    expect(verified.verification.permissions.map((p: { permission: string; ok: boolean }) => [p.permission, p.ok])).toEqual([
      ['cloudtrail:LookupEvents', true],
      ['cloudtrail:DescribeTrails', true],
      ['cloudtrail:GetTrailStatus', true],
      ['cloudtrail:GetEventSelectors', true],
    ]);
    const events = await db.query(`SELECT data FROM domain_events WHERE tenant_id = $1 AND type = 'account.status_changed'`, [
      h.a.tenantId,
    ]);
    expect(events.rows.map((r) => r.data)).toContainEqual(
      expect.objectContaining({ accountId: id, status: 'active', previousStatus: 'pending' }),
    );
  });

  it('reports a role trusting another ExternalId as an error naming the ExternalId', async () => {
    const { verified } = await onboard(h, h.a, { awsAccountId: '710000000002', roleExternalId: 'tg-someone-elses-external-id-000000' });
    expect(verified.status).toBe('error');
    expect(verified.verification.assumeRole).toMatchObject({ ok: false, error: { code: 'access_denied' } });
    expect(verified.verification.permissions).toEqual([]);
    expect(verified.statusReason).toContain(verified.externalId);
  });

  it('names the missing permission', async () => {
    const perms = READ_ONLY_TRAIL_PERMISSIONS.filter((p) => p !== 'cloudtrail:LookupEvents');
    const { verified } = await onboard(h, h.a, { awsAccountId: '710000000003', permissions: perms });
    expect(verified.status).toBe('error');
    expect(verified.statusReason).toBe('missing permissions: cloudtrail:LookupEvents');
    expect(verified.verification.permissions.filter((p: { ok: boolean }) => !p.ok)).toEqual([
      expect.objectContaining({
        permission: 'cloudtrail:LookupEvents',
        ok: false,
        error: expect.objectContaining({ code: 'access_denied' }),
      }),
    ]);
  });

  it('disables, re-enables by verifying, and disconnects (row kept, role and token forgotten)', async () => {
    const { id, ingestToken } = await onboard(h, h.a, { awsAccountId: '710000000004' });
    const disabled = await h.t.http
      .patch(`/v1/aws-accounts/${id}`)
      .set(h.a.auth())
      .send({ status: 'disabled', name: 'renamed' })
      .expect(200);
    expect(disabled.body).toMatchObject({ status: 'disabled', name: 'renamed' });
    await h.t.http.post(`/v1/aws-accounts/${id}/sync`).set(h.a.auth()).expect(409);
    const back = await h.t.http.post(`/v1/aws-accounts/${id}/verify`).set(h.a.auth()).send({}).expect(200);
    expect(back.body.status).toBe('active');
    const sync = await h.t.http.post(`/v1/aws-accounts/${id}/sync`).set(h.a.auth()).expect(202);
    expect(sync.body.queued).toEqual([{ region: 'us-east-1', source: 'polling' }]);
    const gone = await h.t.http.delete(`/v1/aws-accounts/${id}`).set(h.a.auth()).expect(200);
    expect(gone.body).toMatchObject({ status: 'disabled', statusReason: 'disconnected', roleArn: null, hasIngestToken: false });
    await h.t.http.post(`/v1/ingest/eventbridge/${id}`).set('X-Ingest-Token', ingestToken).send([]).expect(401);
    const statuses = await db.query(
      `SELECT data->>'status' AS s FROM domain_events WHERE tenant_id = $1 AND type = 'account.status_changed' AND data->>'accountId' = $2 ORDER BY created_at`,
      [h.a.tenantId, id],
    );
    expect(statuses.rows.map((r) => r.s)).toEqual(['active', 'disabled', 'active', 'disabled']);
  });

  it('lists with keyset pagination and validates input', async () => {
    const page1 = await h.t.http.get('/v1/aws-accounts?limit=2').set(h.a.auth()).expect(200);
    expect(page1.body.data).toHaveLength(2);
    const page2 = await h.t.http.get(`/v1/aws-accounts?limit=2&cursor=${page1.body.nextCursor}`).set(h.a.auth()).expect(200);
    expect(page2.body.data[0].id).not.toBe(page1.body.data[1].id);
    await h.t.http
      .post('/v1/aws-accounts')
      .set(h.a.auth())
      .send({ name: 'x', regions: ['mars-1'] })
      .expect(400);
    const acct = await h.t.http.post('/v1/aws-accounts').set(h.a.auth()).send({ name: 'x' }).expect(201);
    const bad = await h.t.http
      .post(`/v1/aws-accounts/${acct.body.id}/verify`)
      .set(h.a.auth())
      .send({ roleArn: 'arn:aws:iam::123:user/x' })
      .expect(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const { key } = await h.a.key('viewer');
    await h.t.http.post('/v1/aws-accounts').set(h.a.auth(key)).send({ name: 'y' }).expect(403);
  });

  it("keeps tenants apart: another tenant's account is 404 and its token does not open another account", async () => {
    const mine = await onboard(h, h.a, { awsAccountId: '710000000005' });
    const theirs = await h.t.http.post('/v1/aws-accounts').set(h.b.auth()).send({ name: 'b' }).expect(201);
    for (const [method, path] of [
      ['get', `/v1/aws-accounts/${mine.id}`],
      ['patch', `/v1/aws-accounts/${mine.id}`],
      ['delete', `/v1/aws-accounts/${mine.id}`],
      ['post', `/v1/aws-accounts/${mine.id}/verify`],
      ['post', `/v1/aws-accounts/${mine.id}/sync`],
      ['post', `/v1/aws-accounts/${mine.id}/rotate-ingest-token`],
      ['post', `/v1/aws-accounts/${mine.id}/events`],
    ] as const) {
      const res = await h.t.http[method](path)
        .set(h.b.auth())
        .send(method === 'patch' ? { name: 'z' } : {});
      expect([path, res.status]).toEqual([path, 404]);
    }
    const listB = await h.t.http.get('/v1/aws-accounts').set(h.b.auth()).expect(200);
    expect(listB.body.data.map((a: { id: string }) => a.id)).toEqual([theirs.body.id]);
    const event = { 'detail-type': 'AWS API Call via CloudTrail', detail: { eventID: 'x1', eventName: 'A', eventSource: 'b' } };
    const pushed = await h.t.http
      .post(`/v1/ingest/eventbridge/${mine.id}`)
      .set('Authorization', `Bearer ${theirs.body.ingestToken}`)
      .send(event)
      .expect(401);
    const unknown = await h.t.http
      .post('/v1/ingest/eventbridge/00000000-0000-4000-8000-000000000000')
      .set('Authorization', `Bearer ${theirs.body.ingestToken}`)
      .send(event)
      .expect(401);
    expect(unknown.body).toEqual(pushed.body);
  });
});
