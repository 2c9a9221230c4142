import { randomUUID } from 'node:crypto';
import type { CloudTrailRecord } from './sim-types';

/** A plausible management-event record for tests; any field can be overridden. */
export function makeCloudTrailRecord(input: Partial<CloudTrailRecord> & { accountId?: string; time?: Date } = {}): CloudTrailRecord {
  const { accountId = '111122223333', time = new Date(), ...overrides } = input;
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEUSER00001',
      arn: `arn:aws:iam::${accountId}:user/alice`,
      accountId,
      accessKeyId: 'AKIAEXAMPLEKEY000001',
      userName: 'alice',
    },
    eventTime: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: null,
    responseElements: null,
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: accountId,
    eventCategory: 'Management',
    ...overrides,
  };
}
