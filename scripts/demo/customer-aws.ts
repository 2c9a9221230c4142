import { CloudTrailClient, UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { makeCloudTrailRecord, type AwsSimulator, type CloudTrailRecord, type LongTermKeys } from '@trailguard/testing';
import { DemoError } from './api-client';

/** The customer's AWS estate in the simulator: who is who, and where the trail logs. */
export interface CustomerEstate {
  accountId: string;
  homeRegion: string;
  otherRegion: string;
  trailName: string;
  bucket: string;
  adminRoleArn: string;
  /** alice: may only assume the admin role. */
  alice: LongTermKeys;
  /** mallory: an IAM user whose access keys were stolen. */
  mallory: LongTermKeys;
}

export function setUpCustomerEstate(sim: AwsSimulator, input: { accountId: string; bucket: string; trailName?: string }): CustomerEstate {
  const { accountId, bucket } = input;
  const trailName = input.trailName ?? 'org-trail';
  sim.createAccount(accountId);
  sim.createBucket(bucket, accountId);
  sim.createTrail(accountId, {
    name: trailName,
    region: 'us-east-1',
    s3BucketName: bucket,
    isMultiRegion: true,
    isLogging: true,
    logFileValidationEnabled: true,
  });
  const { roleArn: adminRoleArn } = sim.createRole(accountId, {
    roleName: 'CloudAdmin',
    trustedAccountId: accountId,
    permissions: ['cloudtrail:*'],
  });
  const alice = sim.createUser(accountId, 'alice', ['sts:AssumeRole']);
  const mallory = sim.createUser(accountId, 'mallory', ['cloudtrail:*', 'ec2:*', 's3:*']);
  return { accountId, homeRegion: 'us-east-1', otherRegion: 'us-west-2', trailName, bucket, adminRoleArn, alice, mallory };
}

interface TemplateRole {
  AssumeRolePolicyDocument: { Statement: Array<{ Principal: { AWS: string }; Condition?: { StringEquals?: Record<string, string> } }> };
  Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string | string[] }> } }>;
}

/**
 * What CloudFormation does with Trailguard's template: one role trusting the platform account
 * under the ExternalId, with exactly the template's actions. Reads the template, assumes nothing.
 */
export function deployTemplate(sim: AwsSimulator, accountId: string, template: unknown, roleName = 'TrailguardReadOnly'): string {
  const role = (template as { Resources?: { TrailguardRole?: { Properties?: TemplateRole } } }).Resources?.TrailguardRole?.Properties;
  const trust = role?.AssumeRolePolicyDocument.Statement[0];
  const trusted = /^arn:aws:iam::(\d{12}):root$/.exec(trust?.Principal.AWS ?? '')?.[1];
  const externalId = trust?.Condition?.StringEquals?.['sts:ExternalId'];
  if (!role || !trusted || !externalId)
    throw new DemoError('bad_template', 'the template has no role trusting a platform account under an ExternalId');
  const permissions = role.Policies.flatMap((p) =>
    p.PolicyDocument.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])),
  );
  return sim.createRole(accountId, { roleName, trustedAccountId: trusted, externalId, permissions }).roleArn;
}

const keys = (k: LongTermKeys) => ({ accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey });

/** Runs `act` and returns the one `eventName` record it added to the home region's event history. */
async function recorded(sim: AwsSimulator, estate: CustomerEstate, eventName: string, act: () => Promise<void>): Promise<CloudTrailRecord> {
  const before = new Set(sim.events(estate.accountId, estate.homeRegion).map((r) => r.eventID));
  await act();
  const added = sim.events(estate.accountId, estate.homeRegion).filter((r) => r.eventName === eventName && !before.has(r.eventID));
  if (added.length !== 1)
    throw new DemoError('missing_record', `expected one new ${eventName} event in the history, found ${added.length}`);
  return added[0]!;
}

/**
 * alice assumes CloudAdmin (the allowlisted role) and makes a routine, harmless trail change.
 * Returns the CloudTrail record AWS wrote for it.
 */
export function adminTouchesTrail(sim: AwsSimulator, estate: CustomerEstate): Promise<CloudTrailRecord> {
  return recorded(sim, estate, 'UpdateTrail', async () => {
    const sts = new STSClient({ region: estate.homeRegion, credentials: keys(estate.alice) });
    try {
      const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: estate.adminRoleArn, RoleSessionName: 'alice' }));
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
        throw new DemoError('assume_role_failed', 'AssumeRole returned no credentials');
      const ct = new CloudTrailClient({
        region: estate.homeRegion,
        credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
      });
      try {
        await ct.send(new UpdateTrailCommand({ Name: estate.trailName, IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true }));
      } finally {
        ct.destroy();
      }
    } finally {
      sts.destroy();
    }
  });
}

/** mallory, with stolen keys, turns the multi-region trail into a single-region one. */
export function attackerNarrowsTrail(sim: AwsSimulator, estate: CustomerEstate): Promise<CloudTrailRecord> {
  return recorded(sim, estate, 'UpdateTrail', async () => {
    const ct = new CloudTrailClient({ region: estate.homeRegion, credentials: keys(estate.mallory) });
    try {
      await ct.send(new UpdateTrailCommand({ Name: estate.trailName, IsMultiRegionTrail: false }));
    } finally {
      ct.destroy();
    }
  });
}

/**
 * mallory then works in a region the trail no longer covers: imports an SSH key and starts an
 * instance. The simulator speaks no EC2, so the two events are written into that region's event
 * history through its control API, as CloudTrail would record them.
 */
export async function attackerActsElsewhere(sim: AwsSimulator, estate: CustomerEstate): Promise<CloudTrailRecord[]> {
  const identity = {
    type: 'IAMUser',
    principalId: 'AIDAMALLORY',
    arn: estate.mallory.arn,
    accountId: estate.accountId,
    accessKeyId: estate.mallory.accessKeyId,
    userName: 'mallory',
  };
  const common = {
    accountId: estate.accountId,
    awsRegion: estate.otherRegion,
    userIdentity: identity,
    eventSource: 'ec2.amazonaws.com',
    readOnly: false,
    sourceIPAddress: '203.0.113.66',
    userAgent: 'aws-cli/2.15.0',
  };
  const records = [
    makeCloudTrailRecord({
      ...common,
      eventName: 'ImportKeyPair',
      requestParameters: { keyName: 'ops-backup' },
      responseElements: { keyName: 'ops-backup', keyPairId: 'key-0a1b2c3d4e5f67890' },
    }),
    makeCloudTrailRecord({
      ...common,
      time: new Date(Date.now() + 1000),
      eventName: 'RunInstances',
      requestParameters: { instanceType: 'p3.16xlarge', keyName: 'ops-backup', minCount: 1, maxCount: 1 },
      responseElements: { instancesSet: { items: [{ instanceId: 'i-0badc0ffee0ddf00d' }] } },
    }),
  ];
  const res = await fetch(`${sim.endpoint}/_sim/accounts/${estate.accountId}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ region: estate.otherRegion, records }),
  });
  if (!res.ok) throw new DemoError('sim_control_failed', `appending events answered ${res.status}: ${await res.text()}`);
  return records;
}
