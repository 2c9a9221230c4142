import { SimAwsError } from './sim-errors';
import type { SimContext } from './sim-context';
import type { CloudTrailRecord, StoredEvent } from './sim-types';

const ATTRIBUTE_KEYS = [
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
] as const;
type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];

interface LookupInput {
  LookupAttributes?: { AttributeKey?: string; AttributeValue?: string }[];
  StartTime?: number | string;
  EndTime?: number | string;
  MaxResults?: number;
  NextToken?: string;
}

interface Cursor {
  t: number;
  id: string;
}

function toMs(value: number | string | undefined, field: string): number | null {
  if (value === undefined || value === null) return null;
  const ms = typeof value === 'number' ? value * 1000 : Date.parse(value);
  if (Number.isNaN(ms)) throw new SimAwsError('ValidationException', `Invalid ${field}`, 400);
  return ms;
}

function username(record: CloudTrailRecord): string | undefined {
  const identity = record.userIdentity as Record<string, unknown> | undefined;
  if (!identity) return undefined;
  if (typeof identity.userName === 'string') return identity.userName;
  if (typeof identity.arn === 'string' && identity.type === 'AssumedRole') return identity.arn.split('/').pop();
  return typeof identity.principalId === 'string' ? identity.principalId : undefined;
}

function resources(record: CloudTrailRecord): { ResourceType: string; ResourceName: string }[] {
  if (Array.isArray(record.resources)) {
    return (record.resources as Record<string, unknown>[]).map((r) => ({
      ResourceType: String(r.type ?? ''),
      ResourceName: String(r.ARN ?? r.arn ?? ''),
    }));
  }
  // Trail API calls name their trail in the request; LookupEvents reports it as the resource.
  const params = record.requestParameters as Record<string, unknown> | null | undefined;
  if (record.eventSource === 'cloudtrail.amazonaws.com' && typeof params?.name === 'string') {
    return [{ ResourceType: 'AWS::CloudTrail::Trail', ResourceName: params.name }];
  }
  return [];
}

function attributeOf(record: CloudTrailRecord, key: AttributeKey): string[] {
  switch (key) {
    case 'EventId':
      return [record.eventID];
    case 'EventName':
      return [record.eventName];
    case 'EventSource':
      return [record.eventSource];
    case 'ReadOnly':
      return [String(record.readOnly ?? false)];
    case 'Username':
      return [username(record) ?? ''];
    case 'AccessKeyId':
      return [String((record.userIdentity as Record<string, unknown> | undefined)?.accessKeyId ?? '')];
    case 'ResourceType':
      return resources(record).map((r) => r.ResourceType);
    case 'ResourceName':
      return resources(record).map((r) => r.ResourceName);
    default: {
      const never: never = key;
      return [String(never)];
    }
  }
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(token: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (typeof c.t === 'number' && typeof c.id === 'string') return { t: c.t, id: c.id };
  } catch {
    // fall through to the AWS error
  }
  throw new SimAwsError('InvalidNextTokenException', 'Invalid NextToken', 400);
}

function afterCursor(e: StoredEvent, c: Cursor): boolean {
  return e.timeMs < c.t || (e.timeMs === c.t && e.record.eventID < c.id);
}

/** First index whose event comes after the cursor / at or before `end` in newest-first order. */
function firstIndex(list: StoredEvent[], accept: (e: StoredEvent) => boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (accept(list[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function lookupEvents(ctx: SimContext, input: LookupInput): Record<string, unknown> {
  const max = input.MaxResults ?? 50;
  if (!Number.isInteger(max) || max < 1 || max > 50) {
    throw new SimAwsError('InvalidMaxResultsException', 'Value for MaxResults must be between 1 and 50', 400);
  }
  const attrs = input.LookupAttributes ?? [];
  if (attrs.length > 1) {
    throw new SimAwsError('InvalidLookupAttributesException', 'You can only specify one lookup attribute', 400);
  }
  const attr = attrs[0];
  if (attr && !ATTRIBUTE_KEYS.includes(attr.AttributeKey as AttributeKey)) {
    throw new SimAwsError('InvalidLookupAttributesException', `Invalid AttributeKey ${attr.AttributeKey}`, 400);
  }
  const start = toMs(input.StartTime, 'StartTime');
  const end = toMs(input.EndTime, 'EndTime');
  if (start !== null && end !== null && start > end) {
    throw new SimAwsError('InvalidTimeRangeException', 'StartTime must be before EndTime', 400);
  }
  const cursor = input.NextToken ? decodeCursor(input.NextToken) : null;
  const all = ctx.store.accounts.get(ctx.credential.accountId)?.events.get(ctx.region) ?? [];
  let i = cursor ? firstIndex(all, (e) => afterCursor(e, cursor)) : end !== null ? firstIndex(all, (e) => e.timeMs <= end) : 0;
  const page: StoredEvent[] = [];
  let more = false;
  for (; i < all.length; i++) {
    const e = all[i]!;
    if (start !== null && e.timeMs < start) break;
    if (end !== null && e.timeMs > end) continue;
    if (attr && !attributeOf(e.record, attr.AttributeKey as AttributeKey).includes(attr.AttributeValue ?? '')) continue;
    if (page.length === max) {
      more = true;
      break;
    }
    page.push(e);
  }
  const last = page[page.length - 1];
  const result: Record<string, unknown> = {
    Events: page.map((e) => ({
      EventId: e.record.eventID,
      EventName: e.record.eventName,
      ReadOnly: String(e.record.readOnly ?? false),
      AccessKeyId: (e.record.userIdentity as Record<string, unknown> | undefined)?.accessKeyId,
      EventTime: e.timeMs / 1000,
      EventSource: e.record.eventSource,
      Username: username(e.record),
      Resources: resources(e.record),
      CloudTrailEvent: JSON.stringify(e.record),
    })),
  };
  if (more && last) result.NextToken = encodeCursor({ t: last.timeMs, id: last.record.eventID });
  return result;
}
