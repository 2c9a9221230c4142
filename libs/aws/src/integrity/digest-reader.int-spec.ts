import { CloudTrailClient, UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { makeCloudTrailRecord } from '@trailguard/testing';
import { CustomerAwsClients } from '../clients/customer-aws-clients';
import { AssumedCredentialsCache } from '../credentials/assumed-credentials-cache';
import { baselineOf, bucketOwnership, diffTrailBaseline } from '../posture/trail-baseline';
import { readTrailPosture } from '../posture/trail-posture';
import { PLATFORM_ACCOUNT_ID, startSimFixture, type SimFixture } from '../testing/sim-fixture.test-helper';
import { validateTrailDigests, type DigestChainState } from './digest-reader';

const accountId = '555566667777';
const region = 'us-east-1';

describe('CloudTrail digests and trail baselines against the simulator', () => {
  let fx: SimFixture;
  let clients: CustomerAwsClients;
  let target: { roleArn: string; externalId: string };

  beforeAll(async () => {
    fx = await startSimFixture();
  });
  afterAll(() => fx.stop());
  beforeEach(() => {
    fx.reset();
    const { roleArn } = fx.sim.createCustomerAccount({ accountId, trustedAccountId: PLATFORM_ACCOUNT_ID, externalId: 'ext-i' });
    target = { roleArn, externalId: 'ext-i' };
    clients = new CustomerAwsClients(new AssumedCredentialsCache());
    fx.sim.createBucket('trail-logs', accountId);
    fx.sim.createTrail(accountId, {
      name: 'main',
      region,
      s3BucketName: 'trail-logs',
      isMultiRegion: true,
      logFileValidationEnabled: true,
    });
  });
  afterEach(() => clients.destroy());

  const logFile = (n: number) =>
    fx.sim.putLogFile('trail-logs', { accountId, region, records: [makeCloudTrailRecord({ eventName: `Call${n}`, awsRegion: region })] });
  const run = (position: string | null, chains: Record<string, DigestChainState>) =>
    validateTrailDigests(clients, target, { bucket: 'trail-logs', keyPrefix: null, accountId, region, position, chains });

  it('validates genuine digests, then reports a deleted and a modified log file', async () => {
    const a = logFile(1);
    const b = logFile(2);
    fx.sim.deliverDigest(accountId, 'main', region, new Date(Date.now() - 3600_000));
    const clean = await run(null, {});
    expect(clean.issues).toEqual([]);
    expect(clean).toMatchObject({ digestsValidated: 1, logFilesValidated: 2 });

    const c = logFile(3);
    const d = logFile(4);
    const digest = fx.sim.deliverDigest(accountId, 'main', region);
    fx.sim.tamperObject('trail-logs', c, 'delete');
    fx.sim.tamperObject('trail-logs', d, 'alter');
    const next = await run(clean.position, clean.chains);
    // The digest lists files in key order, and keys of one minute differ only by a random suffix.
    expect([...next.issues].sort((x, y) => x.kind.localeCompare(y.kind))).toEqual([
      expect.objectContaining({ kind: 'log_file_deleted', object: c, digestKey: digest, trailName: 'main', region }),
      expect.objectContaining({ kind: 'log_file_modified', object: d, digestKey: digest }),
    ]);
    expect([a, b]).toHaveLength(2);
  });

  it('reports a chain with a missing link and a digest whose signature fails', async () => {
    logFile(1);
    const first = fx.sim.deliverDigest(accountId, 'main', region, new Date(Date.now() - 7200_000));
    const anchor = await run(null, {});
    const second = fx.sim.deliverDigest(accountId, 'main', region, new Date(Date.now() - 3600_000));
    const third = fx.sim.deliverDigest(accountId, 'main', region);
    fx.sim.tamperObject('trail-logs', second, 'delete');
    const broken = await run(anchor.position, anchor.chains);
    expect(broken.issues).toEqual([expect.objectContaining({ kind: 'digest_missing', digestKey: third, object: second })]);
    expect(anchor.chains[`main|${region}`]?.lastKey).toBe(first);

    logFile(2);
    const fourth = fx.sim.deliverDigest(accountId, 'main', region, new Date(Date.now() + 3600_000));
    fx.sim.tamperObject('trail-logs', fourth, 'alter');
    const forged = await run(broken.position, broken.chains);
    expect(forged.issues).toEqual([expect.objectContaining({ kind: 'digest_invalid', digestKey: fourth })]);
  });

  it('sees a first digest whose predecessor is gone', async () => {
    const first = fx.sim.deliverDigest(accountId, 'main', region, new Date(Date.now() - 3600_000));
    const second = fx.sim.deliverDigest(accountId, 'main', region);
    fx.sim.tamperObject('trail-logs', first, 'delete');
    const result = await run(null, {});
    expect(result.issues).toEqual([expect.objectContaining({ kind: 'digest_missing', digestKey: second, object: first })]);
  });

  it('records a baseline, names each drift with before and after, and tells whose bucket the trail now uses', async () => {
    const baseline = baselineOf(await readTrailPosture(clients, target, accountId, region), 'verification');
    expect(baseline.trails).toEqual([
      expect.objectContaining({ name: 'main', s3Bucket: 'trail-logs', logFileValidation: true, isMultiRegion: true }),
    ]);
    fx.sim.createBucket('attacker-drop', '444455556666');
    const attacker = fx.sim.createUser(accountId, 'mallory', ['cloudtrail:*']);
    const ct = new CloudTrailClient({ region, credentials: attacker });
    await ct.send(new UpdateTrailCommand({ Name: 'main', S3BucketName: 'attacker-drop', EnableLogFileValidation: false }));
    ct.destroy();
    const current = baselineOf(await readTrailPosture(clients, target, accountId, region), 'x').trails;
    const drifts = diffTrailBaseline(baseline, current);
    expect(drifts.map((d) => [d.kind, d.before, d.after])).toEqual([
      ['bucket_changed', { s3Bucket: 'trail-logs', s3KeyPrefix: null }, { s3Bucket: 'attacker-drop', s3KeyPrefix: null }],
      ['validation_disabled', true, false],
    ]);
    await expect(bucketOwnership(clients, target, region, 'attacker-drop', [accountId])).resolves.toMatchObject({
      confirmedOwner: null,
      reason: 'not_owned_by_registered_accounts',
    });
    await expect(bucketOwnership(clients, target, region, 'attacker-drop', [accountId, '444455556666'])).resolves.toMatchObject({
      confirmedOwner: '444455556666',
    });
    await expect(bucketOwnership(clients, target, region, 'trail-logs', [accountId])).resolves.toMatchObject({ confirmedOwner: accountId });
    await expect(bucketOwnership(clients, target, region, 'nowhere', [accountId])).resolves.toMatchObject({ reason: 'no_such_bucket' });
  });
});
