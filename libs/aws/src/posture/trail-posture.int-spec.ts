import { CloudTrailClient, StopLoggingCommand, UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { CustomerAwsClients } from '../clients/customer-aws-clients';
import { AssumedCredentialsCache } from '../credentials/assumed-credentials-cache';
import { PLATFORM_ACCOUNT_ID, startSimFixture, type SimFixture } from '../testing/sim-fixture.test-helper';
import { readTrailPosture } from './trail-posture';

describe('readTrailPosture', () => {
  let fx: SimFixture;
  let clients: CustomerAwsClients;
  let target: { roleArn: string; externalId: string };
  const accountId = '555566667777';

  beforeAll(async () => {
    fx = await startSimFixture();
  });
  afterAll(() => fx.stop());
  beforeEach(() => {
    fx.reset();
    const { roleArn } = fx.sim.createCustomerAccount({ accountId, trustedAccountId: PLATFORM_ACCOUNT_ID, externalId: 'ext-p' });
    target = { roleArn, externalId: 'ext-p' };
    clients = new CustomerAwsClients(new AssumedCredentialsCache());
    fx.sim.createBucket('org-logs', accountId);
    fx.sim.createTrail(accountId, { name: 'org', region: 'us-east-1', s3BucketName: 'org-logs', isMultiRegion: true });
    fx.sim.createTrail(accountId, { name: 'local', region: 'eu-west-1', s3BucketName: 'org-logs', isMultiRegion: false });
  });
  afterEach(() => clients.destroy());

  it('reports every trail, including a multi-region one homed in another region', async () => {
    const posture = await readTrailPosture(clients, target, accountId, 'eu-west-1');
    expect(posture.trails).toEqual(
      expect.arrayContaining([
        {
          name: 'org',
          arn: `arn:aws:cloudtrail:us-east-1:${accountId}:trail/org`,
          homeRegion: 'us-east-1',
          isMultiRegion: true,
          isLogging: true,
          includeManagementEvents: true,
          s3Bucket: 'org-logs',
          s3KeyPrefix: null,
          kmsKeyId: null,
          logFileValidation: false,
          isOrganizationTrail: false,
          selectors: { includeManagementEvents: true, readWriteType: 'All', dataResources: [], advanced: null },
        },
        expect.objectContaining({ name: 'local', isMultiRegion: false, homeRegion: 'eu-west-1' }),
      ]),
    );
    expect(posture.trails).toHaveLength(2);
    expect(posture.hasLoggingMultiRegionTrail).toBe(true);
  });

  it('turns false when an attacker narrows the trail to one region, and when logging stops', async () => {
    const attacker = fx.sim.createUser(accountId, 'mallory', ['cloudtrail:*']);
    const ct = new CloudTrailClient({ region: 'us-east-1', credentials: attacker });
    await ct.send(new UpdateTrailCommand({ Name: 'org', IsMultiRegionTrail: false }));
    const narrowed = await readTrailPosture(clients, target, accountId, 'us-east-1');
    expect(narrowed.hasLoggingMultiRegionTrail).toBe(false);
    // The change itself sits in the event history that polling reads.
    expect(fx.sim.events(accountId, 'us-east-1').map((r) => r.eventName)).toEqual(['UpdateTrail']);

    await ct.send(new UpdateTrailCommand({ Name: 'org', IsMultiRegionTrail: true }));
    expect((await readTrailPosture(clients, target, accountId, 'us-east-1')).hasLoggingMultiRegionTrail).toBe(true);
    await ct.send(new StopLoggingCommand({ Name: 'org' }));
    const stopped = await readTrailPosture(clients, target, accountId, 'us-east-1');
    expect(stopped.trails.find((t) => t.name === 'org')?.isLogging).toBe(false);
    expect(stopped.hasLoggingMultiRegionTrail).toBe(false);
    ct.destroy();
  });
});
