import { gzipSync } from 'node:zlib';
import { makeCloudTrailRecord } from '@trailguard/testing';
import { CustomerAwsClients } from '../clients/customer-aws-clients';
import { AssumedCredentialsCache } from '../credentials/assumed-credentials-cache';
import { PLATFORM_ACCOUNT_ID, startSimFixture, type SimFixture } from '../testing/sim-fixture.test-helper';
import { S3TrailReader, rewindLogKey, trailLogPrefix, type TrailLogLocation } from './s3-trail-reader';

describe('S3TrailReader', () => {
  let fx: SimFixture;
  let clients: CustomerAwsClients;
  let target: { roleArn: string; externalId: string };
  const accountId = '444455556666';
  const location: TrailLogLocation = { bucket: 'acme-trail-logs', accountId, region: 'us-east-1' };

  beforeAll(async () => {
    fx = await startSimFixture();
  });
  afterAll(() => fx.stop());
  beforeEach(() => {
    fx.reset();
    const { roleArn } = fx.sim.createCustomerAccount({ accountId, trustedAccountId: PLATFORM_ACCOUNT_ID, externalId: 'ext-s3' });
    target = { roleArn, externalId: 'ext-s3' };
    fx.sim.createBucket(location.bucket, accountId);
    clients = new CustomerAwsClients(new AssumedCredentialsCache());
  });
  afterEach(() => clients.destroy());

  const at = (minute: number) => new Date(Date.UTC(2026, 10, 28, 10, minute));
  function logFile(minute: number, count: number, region = 'us-east-1') {
    const records = Array.from({ length: count }, () => makeCloudTrailRecord({ accountId, awsRegion: region }));
    const key = fx.sim.putLogFile(location.bucket, { accountId, region, records, time: at(minute) });
    return { key, records };
  }

  it('reads files incrementally after the stored key and skips a malformed one without blocking', async () => {
    const a = logFile(5, 3);
    const bad = `${trailLogPrefix(location)}2026/11/28/${accountId}_CloudTrail_us-east-1_20261128T1010Z_broken.json.gz`;
    fx.sim.putObject(location.bucket, bad, Buffer.from('this is not gzip'));
    const c = logFile(15, 2);
    const notRecords = `${trailLogPrefix(location)}2026/11/28/${accountId}_CloudTrail_us-east-1_20261128T1020Z_norecords.json.gz`;
    fx.sim.putObject(location.bucket, notRecords, gzipSync('{"Items": []}'));
    logFile(25, 4, 'eu-west-1'); // another region: not ours
    const reader = new S3TrailReader(clients);

    const first = await reader.readSince(target, location, null);
    expect(first.files.map((f) => f.key)).toEqual([a.key, c.key]);
    expect(first.files[0]!.records.map((r) => r.eventID)).toEqual(a.records.map((r) => r.eventID));
    expect(first.malformed).toEqual([
      { key: bad, reason: expect.stringContaining('not gzip') },
      { key: notRecords, reason: 'no "Records" array' },
    ]);
    expect(first.position).toBe(notRecords);
    expect(first.hasMore).toBe(false);

    const again = await reader.readSince(target, location, first.position);
    expect(again.files).toEqual([]);
    expect(again.position).toBe(first.position);

    const d = logFile(30, 1);
    const next = await reader.readSince(target, location, first.position);
    expect(next.files.map((f) => f.key)).toEqual([d.key]);
    expect(next.position).toBe(d.key);
  });

  it('with a look-back, finds a late file that sorts before the last key read, and skips files already read', async () => {
    const key = (minute: number, suffix: string) =>
      `${trailLogPrefix(location)}2026/11/28/${accountId}_CloudTrail_us-east-1_20261128T10${String(minute).padStart(2, '0')}Z_${suffix}.json.gz`;
    const put = (k: string) => {
      const records = [makeCloudTrailRecord({ accountId, awsRegion: 'us-east-1' })];
      fx.sim.putObject(location.bucket, k, gzipSync(JSON.stringify({ Records: records })));
      return k;
    };
    const read = new Set<string>();
    const options = { lookbackMs: 15 * 60_000, alreadyRead: async (keys: string[]) => new Set(keys.filter((k) => read.has(k))) };
    const reader = new S3TrailReader(clients);
    const first = await reader.readSince(target, location, null, options);
    expect(first.files).toEqual([]);
    const z = put(key(20, 'zzzz'));
    const one = await reader.readSince(target, location, first.position, options);
    expect(one.files.map((f) => f.key)).toEqual([z]);
    one.files.forEach((f) => read.add(f.key));
    // Delivered later, for the same minute, with a suffix that sorts first; and one from 10 minutes before.
    const a = put(key(20, 'aaaa'));
    const early = put(key(10, 'mmmm'));
    const old = put(key(1, 'oooo')); // older than the look-back: not looked for
    const two = await reader.readSince(target, location, one.position, options);
    expect(two.files.map((f) => f.key).sort()).toEqual([a, early].sort());
    expect(two.files.map((f) => f.key)).not.toContain(old);
    expect(two.position).toBe(z);
    // Without the look-back the late files are missed: this is what the option is for.
    expect((await reader.readSince(target, location, one.position)).files).toEqual([]);
  });

  it('rewinds a log key by minutes, across a day boundary', () => {
    const k = `AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/28/111122223333_CloudTrail_us-east-1_20261128T0005Z_abc.json.gz`;
    expect(rewindLogKey(k, 15 * 60_000)).toBe(
      'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/27/111122223333_CloudTrail_us-east-1_20261127T2350Z',
    );
    expect(rewindLogKey('not-a-log-key', 60_000)).toBe('not-a-log-key');
  });

  it('bounds a run with maxFiles and continues from the position', async () => {
    const keys = [1, 2, 3, 4, 5].map((m) => logFile(m, 1).key);
    const reader = new S3TrailReader(clients, { maxFiles: 2 });
    const seen: string[] = [];
    let position: string | null = null;
    let runs = 0;
    for (;;) {
      const r = await reader.readSince(target, location, position);
      seen.push(...r.files.map((f) => f.key));
      position = r.position;
      runs++;
      if (!r.hasMore) break;
    }
    expect(seen).toEqual(keys);
    expect(runs).toBe(3);
  });

  it('fails loudly, not as a malformed file, when the role may not read the bucket', async () => {
    logFile(1, 1);
    fx.sim.revokePermission(target.roleArn, 's3:GetObject');
    await expect(new S3TrailReader(clients).readSince(target, location, null)).rejects.toMatchObject({
      code: 'access_denied',
      operation: 's3:GetObject',
    });
  });
});
