import { PLATFORM_ACCOUNT_ID, startSimFixture, type SimFixture } from '../testing/sim-fixture.test-helper';
import { getPlatformAccountId } from '../clients/platform-identity';
import { buildCloudFormationTemplate, requiredPermissions, type OnboardingModes } from './cloudformation-template';
import { verifyRolePermissions } from './verify-role-permissions';

describe('verifyRolePermissions', () => {
  let fx: SimFixture;
  const accountId = '666677778888';
  const externalId = 'tg-ext-42';
  const modes: OnboardingModes = { polling: true, s3: { bucket: 'acme-trail' } };
  let roleArn: string;

  beforeAll(async () => {
    fx = await startSimFixture();
  });
  afterAll(() => fx.stop());
  beforeEach(async () => {
    fx.reset();
    // The role is granted exactly what the generated template grants.
    const template = buildCloudFormationTemplate({ platformAccountId: await getPlatformAccountId(), externalId, modes });
    expect(JSON.stringify(template)).toContain(`arn:aws:iam::${PLATFORM_ACCOUNT_ID}:root`);
    ({ roleArn } = fx.sim.createCustomerAccount({
      accountId,
      trustedAccountId: PLATFORM_ACCOUNT_ID,
      externalId,
      permissions: requiredPermissions(modes),
    }));
    fx.sim.createBucket('acme-trail', accountId);
    fx.sim.createTrail(accountId, { name: 'org', region: 'us-east-1', s3BucketName: 'acme-trail' });
    fx.sim.putLogFile('acme-trail', { accountId, region: 'us-east-1', records: [] });
  });

  it('passes every check with the right ExternalId', async () => {
    const result = await verifyRolePermissions({ roleArn, externalId, region: 'us-east-1', modes });
    expect(result.assumeRole).toEqual({ permission: 'sts:AssumeRole', ok: true });
    expect(result.permissions).toEqual(requiredPermissions(modes).map((permission) => ({ permission, ok: true })));
    expect(result.ok).toBe(true);
    // Each API was really called once.
    for (const action of ['LookupEvents', 'DescribeTrails', 'GetTrailStatus', 'GetEventSelectors', 'ListObjectsV2', 'GetObject']) {
      expect(fx.sim.requests({ action, accountId })).toHaveLength(1);
    }
  });

  it('reports a wrong ExternalId as a failed AssumeRole and checks nothing else', async () => {
    const result = await verifyRolePermissions({ roleArn, externalId: 'guessed', region: 'us-east-1', modes });
    expect(result.ok).toBe(false);
    expect(result.assumeRole).toMatchObject({
      permission: 'sts:AssumeRole',
      ok: false,
      error: { code: 'access_denied', awsCode: 'AccessDenied' },
    });
    expect(result.permissions).toEqual([]);
    expect(fx.sim.requests({ service: 'cloudtrail' })).toEqual([]);
  });

  it('reports a role that does not trust the platform account', async () => {
    const untrusted = fx.sim.createRole(accountId, {
      roleName: 'SomeoneElses',
      trustedAccountId: '121212121212',
      externalId,
      permissions: requiredPermissions(modes),
    });
    const result = await verifyRolePermissions({ roleArn: untrusted.roleArn, externalId, region: 'us-east-1', modes });
    expect(result.assumeRole.ok).toBe(false);
  });

  it('names exactly the missing permission', async () => {
    fx.sim.revokePermission(roleArn, 'cloudtrail:GetTrailStatus');
    const result = await verifyRolePermissions({ roleArn, externalId, region: 'us-east-1', modes });
    expect(result.ok).toBe(false);
    const failed = result.permissions.filter((p) => !p.ok);
    expect(failed).toEqual([
      {
        permission: 'cloudtrail:GetTrailStatus',
        ok: false,
        error: expect.objectContaining({ code: 'access_denied', awsCode: 'AccessDeniedException' }),
      },
    ]);
  });

  it('marks checks it cannot exercise yet as skipped, not failed', async () => {
    fx.reset();
    ({ roleArn } = fx.sim.createCustomerAccount({
      accountId,
      trustedAccountId: PLATFORM_ACCOUNT_ID,
      externalId,
      permissions: requiredPermissions(modes),
    }));
    fx.sim.createBucket('acme-trail', accountId);
    const result = await verifyRolePermissions({ roleArn, externalId, region: 'us-east-1', modes });
    expect(result.ok).toBe(true);
    expect(result.permissions.filter((p) => p.skipped).map((p) => p.permission)).toEqual([
      'cloudtrail:GetTrailStatus',
      'cloudtrail:GetEventSelectors',
      's3:GetObject',
    ]);
  });
});
