import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asTenantId, Database } from '@trailguard/db';
import { testEnv } from './test-env';
import { sharedPath } from '@trailguard/testing';

export const DATASETS = sharedPath('datasets');

/** Records of a shared dataset (one JSON object a line). */
export function datasetRecords(relative: string): Array<Record<string, unknown>> {
  return readFileSync(join(DATASETS, relative), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** An AWS account row for a tenant, straight through the data layer (as if onboarded). */
export async function insertAccount(tenantId: string, name = 'test account'): Promise<string> {
  const db = new Database({ url: testEnv().appUrl, poolSize: 1 });
  try {
    const row = await db.forTenant(asTenantId(tenantId), ({ tx }) =>
      tx.awsAccount.create({
        data: { tenantId, name, externalId: `tg-test-${randomBytes(12).toString('hex')}`, status: 'active', regions: ['us-east-1'] },
      }),
    );
    return row.id;
  } finally {
    await db.close();
  }
}

const ATTACKER = 'arn:aws:iam::111122223333:user/mallory';
const ADMIN_ROLE = 'arn:aws:iam::111122223333:role/CloudAdmin';

export const actors = { attacker: ATTACKER, adminRole: ADMIN_ROLE };

/** An UpdateTrail call in CloudTrail's shape. Synthetic: no public record turns multi-region off. */
export function updateTrailRecord(opts: { by: 'attacker' | 'admin'; multiRegion: boolean; at?: Date; eventId?: string }) {
  const identity =
    opts.by === 'attacker'
      ? { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: ATTACKER, accountId: '111122223333', userName: 'mallory' }
      : {
          type: 'AssumedRole',
          principalId: 'AROAEXAMPLE:alice',
          arn: 'arn:aws:sts::111122223333:assumed-role/CloudAdmin/alice',
          accountId: '111122223333',
          sessionContext: { sessionIssuer: { type: 'Role', arn: ADMIN_ROLE, accountId: '111122223333', userName: 'CloudAdmin' } },
        };
  return {
    eventVersion: '1.08',
    userIdentity: identity,
    eventTime: (opts.at ?? new Date()).toISOString(),
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'UpdateTrail',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { name: 'org-trail', isMultiRegionTrail: opts.multiRegion },
    responseElements: { name: 'org-trail', isMultiRegionTrail: opts.multiRegion },
    eventID: opts.eventId ?? randomUUID(),
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
  };
}

/** Polls until `probe` returns a value that passes `done`, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}
