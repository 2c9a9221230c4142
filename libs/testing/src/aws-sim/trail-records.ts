import { randomUUID } from 'node:crypto';
import type { SimContext } from './sim-context';
import { isoSeconds } from './sim-context';
import type { CloudTrailRecord, SimTrail } from './sim-types';

/** The userIdentity block CloudTrail writes for the caller of a request. */
export function userIdentityOf(ctx: SimContext): Record<string, unknown> {
  const c = ctx.credential;
  const account = ctx.store.accounts.get(c.accountId);
  if (c.kind === 'user') {
    return {
      type: 'IAMUser',
      principalId: account?.users.get(c.userName ?? '')?.userId ?? '',
      arn: ctx.store.principalArn(c),
      accountId: c.accountId,
      accessKeyId: c.accessKeyId,
      userName: c.userName,
    };
  }
  const role = account?.roles.get(c.roleName ?? '');
  return {
    type: 'AssumedRole',
    principalId: `${role?.roleId ?? ''}:${c.sessionName}`,
    arn: ctx.store.principalArn(c),
    accountId: c.accountId,
    accessKeyId: c.accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: role?.roleId ?? '',
        arn: role?.arn ?? '',
        accountId: c.accountId,
        userName: c.roleName,
      },
      attributes: { creationDate: isoSeconds(ctx.now()), mfaAuthenticated: 'false' },
    },
  };
}

/** Trail fields as the CloudTrail API returns them (PascalCase). */
export function trailShape(t: SimTrail): Record<string, unknown> {
  return {
    Name: t.name,
    S3BucketName: t.s3BucketName,
    ...(t.s3KeyPrefix ? { S3KeyPrefix: t.s3KeyPrefix } : {}),
    IncludeGlobalServiceEvents: t.includeGlobalServiceEvents,
    IsMultiRegionTrail: t.isMultiRegion,
    HomeRegion: t.homeRegion,
    TrailARN: t.arn,
    LogFileValidationEnabled: t.logFileValidationEnabled,
    ...(t.kmsKeyId ? { KmsKeyId: t.kmsKeyId } : {}),
    HasCustomEventSelectors: !t.includeManagementEvents || t.readWriteType !== 'All',
    HasInsightSelectors: false,
    IsOrganizationTrail: t.isOrganizationTrail,
  };
}

function camel(shape: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(shape)) {
    if (v === undefined) continue;
    const key = k === 'TrailARN' ? 'trailARN' : k.charAt(0).toLowerCase() + k.slice(1);
    out[key] = Array.isArray(v) ? v.map((x) => (typeof x === 'object' && x ? camel(x as Record<string, unknown>) : x)) : v;
  }
  return out;
}

/**
 * Writes the management event of a trail API call into the caller's event history, the way
 * CloudTrail records it (camelCase request parameters, the caller's identity, this region).
 */
export function recordTrailCall(
  ctx: SimContext,
  eventName: string,
  request: Record<string, unknown>,
  response: Record<string, unknown> | null,
): CloudTrailRecord {
  const now = ctx.now();
  const record: CloudTrailRecord = {
    eventVersion: '1.09',
    userIdentity: userIdentityOf(ctx),
    eventTime: isoSeconds(now),
    eventSource: 'cloudtrail.amazonaws.com',
    eventName,
    awsRegion: ctx.region,
    sourceIPAddress: ctx.sourceIp,
    userAgent: ctx.userAgent,
    requestParameters: camel(request),
    responseElements: response ? camel(response) : null,
    requestID: ctx.requestId,
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ctx.credential.accountId,
    eventCategory: 'Management',
  };
  ctx.store.appendEvents(ctx.credential.accountId, ctx.region, [record]);
  return record;
}
