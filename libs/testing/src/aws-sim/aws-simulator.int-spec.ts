import { gunzipSync } from 'node:zlib';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  ListPublicKeysCommand,
  LookupEventsCommand,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AwsSimulator, makeCloudTrailRecord, maxInAnyWindow } from './index';

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

describe('AwsSimulator with the real AWS SDK', () => {
  const sim = new AwsSimulator();
  let platform: { accountId: string; accessKeyId: string; secretAccessKey: string };
  let customer: { accountId: string; roleArn: string };
  const saved = { ...process.env };

  beforeAll(async () => {
    await sim.start();
    Object.assign(process.env, sim.sdkEnv());
  });
  afterAll(async () => {
    process.env = saved;
    await sim.stop();
  });
  beforeEach(() => {
    sim.reset();
    platform = sim.createPlatformAccount({ accountId: '999988887777' });
    customer = sim.createCustomerAccount({ accountId: '111122223333', trustedAccountId: platform.accountId, externalId: 'ext-123' });
  });

  const sts = (keys: Keys) => new STSClient({ credentials: keys, maxAttempts: 1 });
  async function assume(externalId = 'ext-123'): Promise<Keys> {
    const out = await sts(platform).send(
      new AssumeRoleCommand({ RoleArn: customer.roleArn, RoleSessionName: 'trailguard', ExternalId: externalId }),
    );
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  }
  const cloudtrail = (keys: Keys, region = 'us-east-1') => new CloudTrailClient({ credentials: keys, region, maxAttempts: 1 });
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: Error) => e.name,
    );

  it('assumes a role with the right ExternalId and reports the session identity', async () => {
    const keys = await assume();
    expect(keys.accessKeyId).toMatch(/^ASIA/);
    const me = await sts(keys).send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe('111122223333');
    expect(me.Arn).toBe('arn:aws:sts::111122223333:assumed-role/TrailguardReadOnly/trailguard');
  });

  it('denies a wrong ExternalId, an untrusted caller and a bad signature', async () => {
    expect(await codeOf(assume('wrong'))).toBe('AccessDenied');
    const other = sim.createPlatformAccount({ accountId: '555566667777' });
    expect(
      await codeOf(sts(other).send(new AssumeRoleCommand({ RoleArn: customer.roleArn, RoleSessionName: 'x1', ExternalId: 'ext-123' }))),
    ).toBe('AccessDenied');
    const badSecret = { accessKeyId: platform.accessKeyId, secretAccessKey: 'not-the-secret' };
    expect(await codeOf(sts(badSecret).send(new GetCallerIdentityCommand({})))).toBe('SignatureDoesNotMatch');
    expect(await codeOf(sts({ accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})))).toBe(
      'InvalidClientTokenId',
    );
  });

  it('requires the session token and rejects it once expired', async () => {
    const keys = await assume();
    const noToken = { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey };
    expect(await codeOf(cloudtrail(noToken).send(new DescribeTrailsCommand({})))).toBe('UnrecognizedClientException');
    expect(await codeOf(cloudtrail(keys).send(new DescribeTrailsCommand({})))).toBe('ok');
    expect(sim.expireAllCredentials()).toBe(1);
    expect(await codeOf(cloudtrail(keys).send(new DescribeTrailsCommand({})))).toBe('ExpiredTokenException');
  });

  it('pages LookupEvents newest first with filters and enforces 2 requests per second', async () => {
    const base = Date.parse('2026-01-01T00:00:00Z');
    const records = Array.from({ length: 120 }, (_, i) =>
      makeCloudTrailRecord({
        accountId: customer.accountId,
        time: new Date(base + i * 1000),
        eventName: i % 10 === 0 ? 'UpdateTrail' : 'DescribeInstances',
      }),
    );
    sim.appendEvents(customer.accountId, 'us-east-1', records);
    sim.setLookupEventsRateLimit(null);
    const keys = await assume();
    const client = cloudtrail(keys);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new LookupEventsCommand({ StartTime: new Date(base + 20_000), NextToken: token }));
      expect(page.Events!.length).toBeLessThanOrEqual(50);
      for (const e of page.Events!) {
        seen.push(e.EventId!);
        expect(JSON.parse(e.CloudTrailEvent!).eventID).toBe(e.EventId);
      }
      token = page.NextToken;
    } while (token);
    expect(seen).toHaveLength(100);
    expect(new Set(seen).size).toBe(100);
    expect(seen[0]).toBe(records[119]!.eventID);
    const filtered = await client.send(
      new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'UpdateTrail' }] }),
    );
    expect(filtered.Events).toHaveLength(12);

    sim.setLookupEventsRateLimit(2);
    const results = await Promise.all(Array.from({ length: 5 }, () => codeOf(client.send(new LookupEventsCommand({ MaxResults: 1 })))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(2);
    expect(results.filter((r) => r === 'ThrottlingException')).toHaveLength(3);
    const ok = sim.requests({ action: 'LookupEvents', accountId: customer.accountId }).filter((e) => e.status === 200);
    expect(maxInAnyWindow(ok.slice(-2).map((e) => e.time))).toBe(2);
  });

  it('applies UpdateTrail and records it with the caller identity', async () => {
    sim.createBucket('org-trail', customer.accountId);
    sim.createTrail(customer.accountId, { name: 'org', region: 'us-east-1', s3BucketName: 'org-trail', isMultiRegion: true });
    const attacker = sim.createUser(customer.accountId, 'mallory', ['cloudtrail:*']);
    const client = cloudtrail(attacker);
    await client.send(new UpdateTrailCommand({ Name: 'org', IsMultiRegionTrail: false }));
    const trails = await client.send(new DescribeTrailsCommand({}));
    expect(trails.trailList?.[0]?.IsMultiRegionTrail).toBe(false);
    expect((await client.send(new GetTrailStatusCommand({ Name: 'org' }))).IsLogging).toBe(true);
    expect((await client.send(new GetEventSelectorsCommand({ TrailName: 'org' }))).EventSelectors?.[0]?.IncludeManagementEvents).toBe(true);
    const [event] = (await client.send(new LookupEventsCommand({}))).Events!;
    expect(event?.EventName).toBe('UpdateTrail');
    expect(event?.Username).toBe('mallory');
    const record = JSON.parse(event!.CloudTrailEvent!);
    expect(record.requestParameters).toEqual({ name: 'org', isMultiRegionTrail: false });
    expect(record.userIdentity.arn).toBe(`arn:aws:iam::${customer.accountId}:user/mallory`);
    // Reading roles cannot change trails.
    const reader = await assume();
    expect(await codeOf(cloudtrail(reader).send(new UpdateTrailCommand({ Name: 'org', IsMultiRegionTrail: true })))).toBe(
      'AccessDeniedException',
    );
  });

  it('serves trail log files over S3 path-style and enforces permissions', async () => {
    sim.createBucket('trail-bucket', customer.accountId);
    const key = sim.putLogFile('trail-bucket', {
      accountId: customer.accountId,
      region: 'us-east-1',
      records: [makeCloudTrailRecord({ accountId: customer.accountId })],
    });
    sim.putObject('trail-bucket', 'AWSLogs/other/x y+z.json.gz', 'not gzip');
    const keys = await assume();
    const s3 = new S3Client({ credentials: keys, maxAttempts: 1 });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'trail-bucket', Prefix: 'AWSLogs/', MaxKeys: 1 }));
    expect(listed.IsTruncated).toBe(true);
    const rest = await s3.send(
      new ListObjectsV2Command({ Bucket: 'trail-bucket', Prefix: 'AWSLogs/', ContinuationToken: listed.NextContinuationToken }),
    );
    expect([...listed.Contents!, ...rest.Contents!].map((o) => o.Key)).toEqual(
      ['AWSLogs/111122223333/' + key.split('AWSLogs/111122223333/')[1], 'AWSLogs/other/x y+z.json.gz'].sort(),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'trail-bucket', Key: key }));
    const json = JSON.parse(gunzipSync(Buffer.from(await got.Body!.transformToByteArray())).toString('utf8'));
    expect(json.Records).toHaveLength(1);
    const odd = await s3.send(new GetObjectCommand({ Bucket: 'trail-bucket', Key: 'AWSLogs/other/x y+z.json.gz' }));
    expect(await odd.Body!.transformToString()).toBe('not gzip');
    sim.revokePermission(customer.roleArn, 's3:GetObject');
    expect(await codeOf(s3.send(new GetObjectCommand({ Bucket: 'trail-bucket', Key: key })))).toBe('AccessDenied');
    expect(await codeOf(s3.send(new ListObjectsV2Command({ Bucket: 'missing-bucket' })))).toBe('NoSuchBucket');
  });

  it('stores objects put over S3 and serves them to presigned URLs until they expire', async () => {
    sim.createBucket('platform-templates', platform.accountId);
    const s3 = new S3Client({ credentials: platform, maxAttempts: 1 });
    await s3.send(
      new PutObjectCommand({ Bucket: 'platform-templates', Key: 'cf/t 1.json', Body: '{"a":1}', ContentType: 'application/json' }),
    );
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'platform-templates', Key: 'cf/t 1.json' }), { expiresIn: 600 });
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/json');
    expect(await ok.text()).toBe('{"a":1}');
    // With a session token (an assumed role) the token travels in the query too.
    const asRole = new S3Client({ credentials: await assume(), maxAttempts: 1 });
    sim.createBucket('trail-bucket', customer.accountId);
    sim.putObject('trail-bucket', 'k.json', 'role');
    expect(
      await (
        await fetch(await getSignedUrl(asRole, new GetObjectCommand({ Bucket: 'trail-bucket', Key: 'k.json' }), { expiresIn: 60 }))
      ).text(),
    ).toBe('role');

    const tampered = url.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    expect((await fetch(tampered)).status).toBe(403);
    expect((await fetch(url.replace('cf/t%201.json', 'cf/other.json'))).status).toBe(403);
    const shortLived = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'platform-templates', Key: 'cf/t 1.json' }), { expiresIn: 1 });
    await new Promise((r) => setTimeout(r, 2100));
    const expired = await fetch(shortLived);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
  });

  it('verifies the signature for real: a body or signed header changed after signing is rejected', async () => {
    const keys = await assume();
    type Req = { body: string; headers: Record<string, string> };
    const tamper = (edit: (req: Req) => void) => {
      const client = cloudtrail(keys);
      client.middlewareStack.addRelativeTo(
        ((next: (args: unknown) => Promise<unknown>) => async (args: { request: { body: unknown; headers: Record<string, string> } }) => {
          const req: Req = { body: new TextDecoder().decode(args.request.body as Uint8Array), headers: args.request.headers };
          edit(req);
          args.request.body = req.body;
          return next(args);
        }) as never,
        { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamper' } as never,
      );
      return client;
    };
    const body = tamper((r) => {
      r.body = r.body.replace('"MaxResults":1', '"MaxResults":2');
    });
    expect(await codeOf(body.send(new LookupEventsCommand({ MaxResults: 1 })))).toBe('InvalidSignatureException');
    const noHash = tamper((r) => {
      delete r.headers['x-amz-content-sha256'];
      r.body = r.body.replace('"MaxResults":1', '"MaxResults":2');
    });
    expect(await codeOf(noHash.send(new LookupEventsCommand({ MaxResults: 1 })))).toBe('InvalidSignatureException');
    const target = tamper((r) => {
      r.headers['x-amz-target'] = 'CloudTrail_20131101.DescribeTrails';
    });
    expect(await codeOf(target.send(new LookupEventsCommand({ MaxResults: 1 })))).toBe('InvalidSignatureException');
    const skewed = new CloudTrailClient({ credentials: keys, maxAttempts: 1, systemClockOffset: -3_600_000 });
    expect(await codeOf(skewed.send(new DescribeTrailsCommand({})))).toBe('InvalidSignatureException');
    expect(sim.requests({ service: 'cloudtrail' }).every((e) => e.status === 400)).toBe(true);
  });

  it('is reached through the per-service endpoint settings alone', async () => {
    const general = process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_ENDPOINT_URL;
    try {
      const keys = await assume();
      expect(await codeOf(cloudtrail(keys).send(new DescribeTrailsCommand({})))).toBe('ok');
      sim.createBucket('per-service', customer.accountId);
      expect(await codeOf(new S3Client({ credentials: keys }).send(new ListObjectsV2Command({ Bucket: 'per-service' })))).toBe('ok');
    } finally {
      process.env.AWS_ENDPOINT_URL = general;
    }
  });

  it('throttles every Nth LookupEvents during a storm', async () => {
    sim.setLookupEventsRateLimit(null);
    sim.throttleStorm({ every: 3 });
    const client = cloudtrail(await assume());
    const results: string[] = [];
    for (let i = 0; i < 6; i++) results.push(await codeOf(client.send(new LookupEventsCommand({ MaxResults: 1 }))));
    expect(results).toEqual(['ok', 'ok', 'ThrottlingException', 'ok', 'ok', 'ThrottlingException']);
  });

  it('injects 5xx faults and exposes everything through the HTTP control API', async () => {
    const post = async (path: string, body: unknown, method = 'POST') => {
      const res = await fetch(`${sim.endpoint}${path}`, { method, body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const created = await post('/_sim/platform-account', { accountId: '123456789012' });
    expect(created.json.accessKeyId).toMatch(/^AKIA/);
    await post('/_sim/faults/server-error', { action: 'GetCallerIdentity', count: 1, status: 503 });
    const keys = { accessKeyId: String(created.json.accessKeyId), secretAccessKey: String(created.json.secretAccessKey) };
    expect(await codeOf(sts(keys).send(new GetCallerIdentityCommand({})))).not.toBe('ok');
    expect(await codeOf(sts(keys).send(new GetCallerIdentityCommand({})))).toBe('ok');
    const log = await fetch(`${sim.endpoint}/_sim/requests?action=GetCallerIdentity&accountId=123456789012`);
    const entries = ((await log.json()) as { requests: { status: number }[] }).requests;
    expect(entries.map((e) => e.status)).toEqual([503, 200]);
    expect((await post('/_sim/nope', {})).status).toBe(404);
  });

  it('delivers signed digests and lets a test tamper with the bucket through the HTTP control API', async () => {
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${sim.endpoint}${path}`, { method: 'POST', body: JSON.stringify(body) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    sim.createBucket('trail-bucket', customer.accountId);
    sim.createBucket('elsewhere', '444455556666');
    await post(`/_sim/accounts/${customer.accountId}/trails`, {
      name: 'main',
      region: 'us-east-1',
      s3BucketName: 'trail-bucket',
      logFileValidationEnabled: true,
    });
    const log = sim.putLogFile('trail-bucket', { accountId: customer.accountId, region: 'us-east-1', records: [makeCloudTrailRecord()] });
    const { json } = await post(`/_sim/accounts/${customer.accountId}/trails/main/digests`, { region: 'us-east-1' });
    const digestKey = String(json.key);
    expect(digestKey).toMatch(
      /^AWSLogs\/111122223333\/CloudTrail-Digest\/us-east-1\/\d{4}\/\d{2}\/\d{2}\/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_\d{8}T\d{6}Z\.json\.gz$/,
    );
    const keys = await assume();
    const s3 = new S3Client({ credentials: keys, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1 });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'trail-bucket', Key: digestKey }));
    expect(got.Metadata).toEqual({ signature: expect.stringMatching(/^[0-9a-f]{512}$/), 'signature-algorithm': 'SHA256withRSA' });
    const digest = JSON.parse(gunzipSync(Buffer.from(await got.Body!.transformToByteArray())).toString('utf8')) as {
      logFiles: Array<{ s3Object: string }>;
      digestPublicKeyFingerprint: string;
    };
    expect(digest.logFiles.map((f) => f.s3Object)).toEqual([log]);
    const published = await cloudtrail(keys).send(new ListPublicKeysCommand({}));
    expect(published.PublicKeyList?.map((k) => k.Fingerprint)).toEqual([digest.digestPublicKeyFingerprint]);
    // HeadBucket with ExpectedBucketOwner answers 403 for a bucket of another account.
    expect(await codeOf(s3.send(new HeadBucketCommand({ Bucket: 'trail-bucket', ExpectedBucketOwner: customer.accountId })))).toBe('ok');
    expect(await codeOf(s3.send(new HeadBucketCommand({ Bucket: 'elsewhere', ExpectedBucketOwner: customer.accountId })))).not.toBe('ok');
    expect((await post('/_sim/buckets/trail-bucket/tamper', { key: log, action: 'delete' })).status).toBe(200);
    expect(await codeOf(s3.send(new GetObjectCommand({ Bucket: 'trail-bucket', Key: log })))).toBe('NoSuchKey');
    expect((await post('/_sim/buckets/trail-bucket/tamper', { key: log, action: 'burn' })).status).toBe(400);
    s3.destroy();
  });
});
