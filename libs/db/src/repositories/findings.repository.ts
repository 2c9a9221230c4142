import { randomUUID } from 'node:crypto';
import type { TenantScope } from '../database';
import { Prisma, type Finding, type FindingActivity, type FindingEvent, type FindingKind, type FindingStatus, type Severity } from '../generated/client';
import { afterCursor, newestFirst, toPage, type Page, type PageRequest } from '../pagination';

/** Evidence keeps the full record of the first events of a finding; later ones are counted. */
export const EVIDENCE_RECORDS = 20;

export interface FindingGroup {
  kind: FindingKind;
  ruleId: string;
  ruleTitle: string;
  severity: Severity;
  accountId: string;
  actor: string;
  windowStart: Date;
  tags: string[];
  region?: string;
  sourceIp?: string;
  userAgent?: string;
  /** The allowlist entry that covers the actor, if any: the finding is then suppressed. */
  allowlistEntryId?: string;
  details?: Prisma.InputJsonObject;
  events: Array<{ eventId: string; eventTime: Date; record: Prisma.InputJsonObject }>;
}

export type GroupOutcome =
  | { kind: 'created'; finding: Finding }
  | { kind: 'events_added'; finding: Finding; added: number }
  | { kind: 'unsuppressed'; finding: Finding; added: number }
  | { kind: 'unchanged'; finding: Finding };

export interface FindingFilters {
  status?: FindingStatus[];
  severity?: Severity[];
  ruleId?: string;
  accountId?: string;
  actor?: string;
  kind?: FindingKind;
  from?: Date;
  to?: Date;
}

export class FindingsRepository {
  /**
   * Folds a group of matching events into the one finding of (rule, account, actor, window),
   * creating it if needed. Idempotent: an event already counted is not counted again, so a
   * retried batch changes nothing. Safe under concurrency (insert-or-skip, atomic counters).
   */
  async foldGroup(scope: TenantScope, g: FindingGroup): Promise<GroupOutcome> {
    const { tx, tenantId } = scope;
    const times = g.events.map((e) => e.eventTime.getTime());
    const first = new Date(Math.min(...times));
    const last = new Date(Math.max(...times));
    const id = randomUUID();
    const suppressed = g.allowlistEntryId !== undefined;
    await tx.finding.createMany({
      data: [
        {
          id,
          tenantId,
          kind: g.kind,
          ruleId: g.ruleId,
          ruleTitle: g.ruleTitle,
          severity: g.severity,
          status: suppressed ? 'suppressed' : 'open',
          accountId: g.accountId,
          actor: g.actor,
          windowStart: g.windowStart,
          tags: g.tags,
          region: g.region ?? null,
          sourceIp: g.sourceIp ?? null,
          userAgent: g.userAgent ?? null,
          allowlistEntryId: g.allowlistEntryId ?? null,
          details: g.details ?? Prisma.JsonNull,
          eventCount: 0,
          firstSeenAt: first,
          lastSeenAt: last,
        },
      ],
      skipDuplicates: true,
    });
    const key = { tenantId, ruleId: g.ruleId, accountId: g.accountId, actor: g.actor, windowStart: g.windowStart };
    const found = await tx.finding.findUniqueOrThrow({ where: { tenantId_ruleId_accountId_actor_windowStart: key } });
    const created = found.id === id;
    const evidenceRoom = Math.max(0, EVIDENCE_RECORDS - found.eventCount);
    const inserted = await tx.findingEvent.createMany({
      data: g.events.map((e, i) => ({
        tenantId,
        findingId: found.id,
        eventId: e.eventId,
        eventTime: e.eventTime,
        record: i < evidenceRoom ? e.record : Prisma.JsonNull,
      })),
      skipDuplicates: true,
    });
    if (inserted.count === 0 && !created) return { kind: 'unchanged', finding: found };
    const reopen = found.status === 'suppressed' && !suppressed;
    await tx.$executeRaw`
      UPDATE findings SET
        event_count = event_count + ${inserted.count},
        first_seen_at = LEAST(first_seen_at, ${first}),
        last_seen_at = GREATEST(last_seen_at, ${last}),
        status = CASE WHEN ${reopen} THEN 'open'::"FindingStatus" ELSE status END,
        allowlist_entry_id = CASE WHEN ${reopen} THEN NULL ELSE allowlist_entry_id END,
        updated_at = now()
      WHERE tenant_id = ${tenantId}::uuid AND id = ${found.id}::uuid`;
    const finding = await tx.finding.findUniqueOrThrow({ where: { tenantId_id: { tenantId, id: found.id } } });
    if (created) return { kind: 'created', finding };
    if (reopen) return { kind: 'unsuppressed', finding, added: inserted.count };
    return { kind: 'events_added', finding, added: inserted.count };
  }

  /**
   * A finding that is about a state, not events (trail posture): one per (rule, account, actor,
   * window), created once; `created` says whether this call made it.
   */
  async raise(
    scope: TenantScope,
    f: Omit<FindingGroup, 'events' | 'allowlistEntryId'> & { relatedFindingId?: string; at: Date },
  ): Promise<{ finding: Finding; created: boolean }> {
    const id = randomUUID();
    await scope.tx.finding.createMany({
      data: [
        {
          id,
          tenantId: scope.tenantId,
          kind: f.kind,
          ruleId: f.ruleId,
          ruleTitle: f.ruleTitle,
          severity: f.severity,
          accountId: f.accountId,
          actor: f.actor,
          windowStart: f.windowStart,
          tags: f.tags,
          region: f.region ?? null,
          relatedFindingId: f.relatedFindingId ?? null,
          details: f.details ?? Prisma.JsonNull,
          firstSeenAt: f.at,
          lastSeenAt: f.at,
        },
      ],
      skipDuplicates: true,
    });
    const key = { tenantId: scope.tenantId, ruleId: f.ruleId, accountId: f.accountId, actor: f.actor, windowStart: f.windowStart };
    const finding = await scope.tx.finding.findUniqueOrThrow({ where: { tenantId_ruleId_accountId_actor_windowStart: key } });
    return { finding, created: finding.id === id };
  }

  async list(scope: TenantScope, f: FindingFilters, page: PageRequest): Promise<Page<Finding>> {
    const where: Prisma.FindingWhereInput = {
      tenantId: scope.tenantId,
      ...(f.status ? { status: { in: f.status } } : {}),
      ...(f.severity ? { severity: { in: f.severity } } : {}),
      ...(f.ruleId ? { ruleId: f.ruleId } : {}),
      ...(f.accountId ? { accountId: f.accountId } : {}),
      ...(f.actor ? { actor: f.actor } : {}),
      ...(f.kind ? { kind: f.kind } : {}),
      ...(f.from || f.to ? { lastSeenAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } } : {}),
      ...afterCursor(page.cursor),
    };
    const rows = await scope.tx.finding.findMany({ where, orderBy: newestFirst, take: page.limit + 1 });
    return toPage(rows, page.limit);
  }

  get(scope: TenantScope, id: string): Promise<Finding | null> {
    return scope.tx.finding.findUnique({ where: { tenantId_id: { tenantId: scope.tenantId, id } } });
  }

  evidence(scope: TenantScope, findingId: string, limit = EVIDENCE_RECORDS): Promise<FindingEvent[]> {
    return scope.tx.findingEvent.findMany({
      where: { tenantId: scope.tenantId, findingId },
      orderBy: [{ eventTime: 'asc' }, { eventId: 'asc' }],
      take: limit,
    });
  }

  update(scope: TenantScope, id: string, data: { status?: FindingStatus; assignee?: string | null; relatedFindingId?: string }): Promise<Finding> {
    return scope.tx.finding.update({ where: { tenantId_id: { tenantId: scope.tenantId, id } }, data });
  }

  addActivity(scope: TenantScope, findingId: string, type: string, actor: string | null, data?: Prisma.InputJsonObject): Promise<FindingActivity> {
    return scope.tx.findingActivity.create({
      data: { tenantId: scope.tenantId, findingId, type, actor, data: data ?? Prisma.JsonNull },
    });
  }

  async activity(scope: TenantScope, findingId: string, page: PageRequest): Promise<Page<FindingActivity>> {
    const rows = await scope.tx.findingActivity.findMany({
      where: { tenantId: scope.tenantId, findingId, ...afterCursor(page.cursor) },
      orderBy: newestFirst,
      take: page.limit + 1,
    });
    return toPage(rows, page.limit);
  }

  /** The newest open UpdateTrail-style finding of an account, to link a posture finding to its cause. */
  latestForRules(scope: TenantScope, accountId: string, ruleIds: string[], since: Date): Promise<Finding | null> {
    return scope.tx.finding.findFirst({
      where: { tenantId: scope.tenantId, accountId, ruleId: { in: ruleIds }, lastSeenAt: { gte: since } },
      orderBy: [{ lastSeenAt: 'desc' }],
    });
  }
}
