import type { Finding, Prisma } from './generated/client';

/**
 * What a webhook receiver and the API see of a finding. It lives beside the findings repository
 * because that repository writes it into domain events whenever a finding changes.
 */
export type FindingView = ReturnType<typeof findingView>;

type Instant = Date | string;
type TimeColumns = 'firstSeenAt' | 'lastSeenAt' | 'windowStart' | 'createdAt' | 'updatedAt';

/** A finding's columns; the API's reads leave tenant_id out and get times as ISO text already. */
export type FindingViewInput = Omit<Finding, 'tenantId' | TimeColumns> & { [K in TimeColumns]: Instant };

/** ISO 8601 in UTC with milliseconds (what Date#toISOString writes); text is taken as such. */
function iso(t: Instant): string {
  return typeof t === 'string' ? t : t.toISOString();
}

export function findingView(f: FindingViewInput) {
  return {
    id: f.id,
    kind: f.kind,
    ruleId: f.ruleId,
    ruleTitle: f.ruleTitle,
    severity: f.severity,
    status: f.status,
    accountId: f.accountId,
    actor: f.actor,
    tags: f.tags,
    region: f.region,
    sourceIp: f.sourceIp,
    userAgent: f.userAgent,
    eventCount: f.eventCount,
    firstSeenAt: iso(f.firstSeenAt),
    lastSeenAt: iso(f.lastSeenAt),
    windowStart: iso(f.windowStart),
    assignee: f.assignee,
    allowlistEntryId: f.allowlistEntryId,
    relatedFindingId: f.relatedFindingId,
    details: f.details as Prisma.JsonValue,
    createdAt: iso(f.createdAt),
    updatedAt: iso(f.updatedAt),
  };
}
