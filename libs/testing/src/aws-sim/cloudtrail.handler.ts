import { accessDenied, SimAwsError } from './sim-errors';
import type { SimContext, SimResponse } from './sim-context';
import { lookupEvents } from './lookup-events';
import { recordTrailCall, trailShape } from './trail-records';
import type { SimTrail } from './sim-types';
import { listPublicKeysOutput } from './digest-delivery';

export const CLOUDTRAIL_TARGET_PREFIXES = ['CloudTrail_20131101.', 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.'];

export function cloudTrailAction(target: string | undefined): string {
  for (const prefix of CLOUDTRAIL_TARGET_PREFIXES) {
    if (target?.startsWith(prefix)) return target.slice(prefix.length);
  }
  return target ?? 'Unknown';
}

export function renderCloudTrailError(err: SimAwsError, requestId: string): SimResponse {
  return {
    status: err.status,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': err.code,
    },
    body: JSON.stringify({ __type: err.code, message: err.message }),
  };
}

function ok(body: Record<string, unknown>, requestId: string): SimResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
    body: JSON.stringify(body),
  };
}

type Input = Record<string, unknown>;

const READ_ACTIONS = ['LookupEvents', 'DescribeTrails', 'GetTrailStatus', 'GetEventSelectors', 'ListTrails', 'ListPublicKeys'];
const WRITE_ACTIONS = ['UpdateTrail', 'StopLogging', 'StartLogging', 'DeleteTrail', 'CreateTrail', 'PutEventSelectors'];

export function isKnownCloudTrailAction(action: string): boolean {
  return READ_ACTIONS.includes(action) || WRITE_ACTIONS.includes(action);
}

function trailNotFound(ctx: SimContext, name: string): SimAwsError {
  return new SimAwsError('TrailNotFoundException', `Unknown trail: ${name} for the user: ${ctx.credential.accountId}`, 400);
}

/** By name: a trail of this region. By ARN: any trail of the caller's account (shadow trails). */
function findTrail(ctx: SimContext, nameOrArn: unknown, forWrite: boolean): SimTrail {
  if (typeof nameOrArn !== 'string' || nameOrArn === '') {
    throw new SimAwsError('InvalidTrailNameException', 'Trail name or ARN is required', 400);
  }
  const account = ctx.store.accounts.get(ctx.credential.accountId);
  const trails = [...(account?.trails.values() ?? [])];
  const trail = nameOrArn.startsWith('arn:')
    ? trails.find((t) => t.arn === nameOrArn)
    : trails.find((t) => t.name === nameOrArn && t.homeRegion === ctx.region);
  if (!trail) throw trailNotFound(ctx, nameOrArn);
  if (forWrite && trail.homeRegion !== ctx.region) {
    throw new SimAwsError(
      'InvalidHomeRegionException',
      `This operation must be called from the trail's home region (${trail.homeRegion}).`,
      400,
    );
  }
  return trail;
}

function lookupEventsGate(ctx: SimContext): void {
  const store = ctx.store;
  const decidedAt = ctx.now();
  for (const fault of store.faults) {
    if (fault.kind !== 'throttle' || fault.action !== 'LookupEvents') continue;
    if (fault.until !== null && fault.until <= decidedAt) continue;
    fault.seen++;
    if (fault.seen % fault.every === 0) throw new SimAwsError('ThrottlingException', 'Rate exceeded', 400);
  }
  if (!store.admitLookupEvents(ctx.credential.accountId, ctx.region, ctx.arrival)) {
    throw new SimAwsError('ThrottlingException', 'Rate exceeded', 400);
  }
}

export function handleCloudTrail(ctx: SimContext, action: string, input: Input): SimResponse {
  if (!isKnownCloudTrailAction(action)) {
    throw new SimAwsError('UnknownOperationException', `Unknown operation ${action}`, 400);
  }
  const permission = `cloudtrail:${action}`;
  if (!ctx.store.isAllowed(ctx.credential, permission)) {
    throw accessDenied('cloudtrail', ctx.store.principalArn(ctx.credential), permission);
  }
  return ok(dispatch(ctx, action, input), ctx.requestId);
}

function dispatch(ctx: SimContext, action: string, input: Input): Record<string, unknown> {
  const account = ctx.store.requireAccount(ctx.credential.accountId);
  switch (action) {
    case 'LookupEvents':
      lookupEventsGate(ctx);
      return lookupEvents(ctx, input);
    case 'DescribeTrails': {
      const names = Array.isArray(input.trailNameList) ? (input.trailNameList as string[]) : null;
      const includeShadow = input.includeShadowTrails !== false;
      const trails = [...account.trails.values()].filter(
        (t) =>
          (t.homeRegion === ctx.region || (includeShadow && t.isMultiRegion)) &&
          (!names || names.length === 0 || names.includes(t.name) || names.includes(t.arn)),
      );
      return { trailList: trails.map(trailShape) };
    }
    case 'ListPublicKeys':
      return listPublicKeysOutput();
    case 'ListTrails':
      return {
        Trails: [...account.trails.values()].map((t) => ({ TrailARN: t.arn, Name: t.name, HomeRegion: t.homeRegion })),
      };
    case 'GetTrailStatus': {
      const t = findTrail(ctx, input.Name, false);
      return {
        IsLogging: t.isLogging,
        ...(t.startLoggingTime !== null ? { StartLoggingTime: t.startLoggingTime / 1000 } : {}),
        ...(t.stopLoggingTime !== null ? { StopLoggingTime: t.stopLoggingTime / 1000 } : {}),
      };
    }
    case 'GetEventSelectors': {
      const t = findTrail(ctx, input.TrailName, false);
      return {
        TrailARN: t.arn,
        EventSelectors: [
          {
            ReadWriteType: t.readWriteType,
            IncludeManagementEvents: t.includeManagementEvents,
            DataResources: [],
            ExcludeManagementEventSources: [],
          },
        ],
      };
    }
    case 'PutEventSelectors': {
      const t = findTrail(ctx, input.TrailName, true);
      const selectors = Array.isArray(input.EventSelectors) ? (input.EventSelectors as Input[]) : [];
      t.includeManagementEvents = selectors.some((s) => s.IncludeManagementEvents !== false);
      const rw = selectors[0]?.ReadWriteType;
      t.readWriteType = rw === 'ReadOnly' || rw === 'WriteOnly' ? rw : 'All';
      const response = { TrailARN: t.arn, EventSelectors: selectors };
      recordTrailCall(ctx, action, input, response);
      return response;
    }
    case 'CreateTrail': {
      const name = input.Name;
      if (typeof name !== 'string' || !/^[\w.-]{3,128}$/.test(name)) {
        throw new SimAwsError('InvalidTrailNameException', 'Invalid trail name', 400);
      }
      if ([...account.trails.values()].some((t) => t.name === name)) {
        throw new SimAwsError('TrailAlreadyExistsException', `Trail ${name} already exists for customer: ${account.accountId}`, 400);
      }
      if (typeof input.S3BucketName !== 'string') {
        throw new SimAwsError('InvalidS3BucketNameException', 'S3BucketName is required', 400);
      }
      const t = ctx.store.createTrail(
        account.accountId,
        {
          name,
          region: ctx.region,
          s3BucketName: input.S3BucketName,
          s3KeyPrefix: typeof input.S3KeyPrefix === 'string' ? input.S3KeyPrefix : null,
          isMultiRegion: input.IsMultiRegionTrail === true,
          includeGlobalServiceEvents: input.IncludeGlobalServiceEvents !== false,
          isLogging: false,
          logFileValidationEnabled: input.EnableLogFileValidation === true,
          kmsKeyId: typeof input.KmsKeyId === 'string' ? input.KmsKeyId : null,
        },
        ctx.now(),
      );
      const response = trailShape(t);
      recordTrailCall(ctx, action, input, response);
      return response;
    }
    case 'UpdateTrail': {
      const t = findTrail(ctx, input.Name, true);
      if (typeof input.S3BucketName === 'string') t.s3BucketName = input.S3BucketName;
      if (typeof input.S3KeyPrefix === 'string') t.s3KeyPrefix = input.S3KeyPrefix || null;
      if (typeof input.IsMultiRegionTrail === 'boolean') t.isMultiRegion = input.IsMultiRegionTrail;
      if (typeof input.EnableLogFileValidation === 'boolean') t.logFileValidationEnabled = input.EnableLogFileValidation;
      if (typeof input.KmsKeyId === 'string') t.kmsKeyId = input.KmsKeyId || null;
      if (typeof input.IncludeGlobalServiceEvents === 'boolean') {
        t.includeGlobalServiceEvents = input.IncludeGlobalServiceEvents;
      }
      const response = trailShape(t);
      recordTrailCall(ctx, action, input, response);
      return response;
    }
    case 'StopLogging':
    case 'StartLogging': {
      const t = findTrail(ctx, input.Name, true);
      t.isLogging = action === 'StartLogging';
      if (t.isLogging) t.startLoggingTime = ctx.now();
      else t.stopLoggingTime = ctx.now();
      recordTrailCall(ctx, action, input, null);
      return {};
    }
    case 'DeleteTrail': {
      const t = findTrail(ctx, input.Name, true);
      account.trails.delete(t.name);
      recordTrailCall(ctx, action, input, null);
      return {};
    }
    default:
      throw new SimAwsError('UnknownOperationException', `Unknown operation ${action}`, 400);
  }
}
