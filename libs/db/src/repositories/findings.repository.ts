import { randomUUID } from 'node:crypto';
import type { SqlScope, TenantScope } from '../database';
import {
  Prisma,
  type Finding,
  type FindingActivity,
  type FindingEvent,
  type FindingKind,
  type FindingStatus,
  type Severity,
} from '../generated/client';
import { afterCursor, newestFirst, toPage, type Page, type PageRequest } from '../pagination';
import {
  foldChanges,
  foldGroups,
  linkPostureCauses,
  recordFindingChanges,
  type FindingChange,
  type FindingGroup,
  type GroupOutcome,
} from './finding-changes';

const SEVERITY_ORDER: Severity[] = ['informational', 'low', 'medium', 'high', 'critical'];

/** Evidence records kept per finding unless FINDING_EVIDENCE_MAX says otherwise. */
export const EVIDENCE_RECORDS = 100;

export type { FindingGroup, GroupOutcome, FindingChange } from './finding-changes';

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

/** The row of a finding about to be created (it starts with no events counted). */
function newFindingRow(
  id: string,
  tenantId: string,
  g: Omit<FindingGroup, 'events'> & { relatedFindingId?: string },
  first: Date,
  last: Date,
): Prisma.FindingCreateManyInput {
  return {
    id,
    tenantId,
    kind: g.kind,
    ruleId: g.ruleId,
    ruleTitle: g.ruleTitle,
    severity: g.severity,
    status: g.allowlistEntryId !== undefined ? 'suppressed' : 'open',
    accountId: g.accountId,
    actor: g.actor,
    windowStart: g.windowStart,
    tags: g.tags,
    region: g.region ?? null,
    sourceIp: g.sourceIp ?? null,
    userAgent: g.userAgent ?? null,
    allowlistEntryId: g.allowlistEntryId ?? null,
    relatedFindingId: g.relatedFindingId ?? null,
    details: g.details ?? Prisma.JsonNull,
    eventCount: 0,
    firstSeenAt: first,
    lastSeenAt: last,
  };
}

export class FindingsRepository {
  /**
   * Folds groups of new matching events into the one finding of each (rule, account, actor,
   * window), creating findings as needed, in a fixed number of statements whatever the number of
   * groups; keeps a sample of evidence (the first and the latest of `evidenceMax`), exact counts.
   */
  foldGroups(scope: SqlScope, groups: readonly FindingGroup[], evidenceMax = EVIDENCE_RECORDS): Promise<GroupOutcome[]> {
    return groups.length === 0 ? Promise.resolve([]) : foldGroups(scope, groups, evidenceMax);
  }

  /** The one way a finding's change is recorded: its activity entry and its domain event. */
  recordChanges(scope: SqlScope, changes: readonly FindingChange[]): Promise<void> {
    return recordFindingChanges(scope, changes);
  }

  /** Activity and domain events of fold outcomes (see foldChanges). */
  changesOf(outcomes: readonly GroupOutcome[]): FindingChange[] {
    return foldChanges(outcomes);
  }

  /** Newly created trail-change findings become the cause of their account's posture finding. */
  linkPostureCauses(scope: SqlScope, causes: readonly Finding[]): Promise<void> {
    return linkPostureCauses(scope, causes);
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
      data: [newFindingRow(id, scope.tenantId, f, f.at, f.at)],
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

  /** The sampled evidence of a finding: its first events, then its latest, in the order they were counted. */
  evidence(scope: TenantScope, findingId: string, limit = EVIDENCE_RECORDS): Promise<FindingEvent[]> {
    return scope.tx.findingEvent.findMany({
      where: { tenantId: scope.tenantId, findingId },
      orderBy: [{ seq: 'asc' }, { eventTime: 'asc' }, { eventId: 'asc' }],
      take: limit,
    });
  }

  update(
    scope: TenantScope,
    id: string,
    data: { status?: FindingStatus; assignee?: string | null; relatedFindingId?: string },
  ): Promise<Finding> {
    return scope.tx.finding.update({ where: { tenantId_id: { tenantId: scope.tenantId, id } }, data });
  }

  async activity(scope: TenantScope, findingId: string, page: PageRequest): Promise<Page<FindingActivity>> {
    const rows = await scope.tx.findingActivity.findMany({
      where: { tenantId: scope.tenantId, findingId, ...afterCursor(page.cursor) },
      orderBy: newestFirst,
      take: page.limit + 1,
    });
    return toPage(rows, page.limit);
  }

  /**
   * The likeliest cause among an account's recent findings of these rules: alerted before
   * suppressed, then the most severe, then the newest.
   */
  async latestForRules(scope: TenantScope, accountId: string, ruleIds: string[], since: Date): Promise<Finding | null> {
    const recent = await scope.tx.finding.findMany({
      where: { tenantId: scope.tenantId, accountId, ruleId: { in: ruleIds }, lastSeenAt: { gte: since } },
      orderBy: [{ lastSeenAt: 'desc' }],
      take: 50,
    });
    const rank = (f: Finding) => [f.status === 'suppressed' ? 0 : 1, SEVERITY_ORDER.indexOf(f.severity), f.lastSeenAt.getTime()];
    const better = (a: Finding, b: Finding) => {
      const [x, y] = [rank(a), rank(b)];
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! > y[i]!;
      return false;
    };
    return recent.reduce<Finding | null>((best, f) => (!best || better(f, best) ? f : best), null);
  }
}
