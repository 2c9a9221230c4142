import type { Finding, Prisma } from './generated/client';

/**
 * What a webhook receiver and the API see of a finding. It lives beside the findings repository
 * because that repository writes it into domain events whenever a finding changes.
 */
export type FindingView = ReturnType<typeof findingView>;

/** Takes any row with a finding's columns (the API's reads leave tenant_id out). */
export function findingView(f: Omit<Finding, 'tenantId'>) {
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
    firstSeenAt: f.firstSeenAt.toISOString(),
    lastSeenAt: f.lastSeenAt.toISOString(),
    windowStart: f.windowStart.toISOString(),
    assignee: f.assignee,
    allowlistEntryId: f.allowlistEntryId,
    relatedFindingId: f.relatedFindingId,
    details: f.details as Prisma.JsonValue,
    createdAt: f.createdAt.toISOString(),
    updatedAt: f.updatedAt.toISOString(),
  };
}
