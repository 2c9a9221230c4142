import { randomUUID } from 'node:crypto';
import type { TenantScope } from '../database';
import { Prisma, type Finding, type FindingActivity, type FindingEvent, type FindingKind, type FindingStatus, type Severity } from '../generated/client';
import { afterCursor, newestFirst, toPage, type Page, type PageRequest } from '../pagination';

const SEVERITY_ORDER: Severity[] = ['informational', 'low', 'medium', 'high', 'critical'];

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
   * Folds groups of matching events into the one finding of each (rule, account, actor, window),
   * creating findings as needed, in a fixed number of statements whatever the number of groups.
   * Idempotent: an event already counted is not counted again, so a retried batch changes
   * nothing. Safe under concurrency (insert-or-skip, atomic counters). One outcome per finding.
   */
  async foldGroups(scope: TenantScope, groups: readonly FindingGroup[]): Promise<GroupOutcome[]> {
    if (groups.length === 0) return [];
    const { tx, tenantId } = scope;
    const keyOf = (f: { ruleId: string; accountId: string | null; actor: string; windowStart: Date }) =>
      `${f.ruleId}|${f.accountId}|${f.actor}|${f.windowStart.getTime()}`;
    const proposed = new Map<string, string>();
    await tx.finding.createMany({
      data: groups.map((g) => {
        const times = g.events.map((e) => e.eventTime.getTime());
        const id = randomUUID();
        if (!proposed.has(keyOf(g))) proposed.set(keyOf(g), id);
        return newFindingRow(id, tenantId, g, new Date(Math.min(...times)), new Date(Math.max(...times)));
      }),
      skipDuplicates: true,
    });
    const found = await tx.finding.findMany({
      where: {
        tenantId,
        OR: groups.map((g) => ({ ruleId: g.ruleId, accountId: g.accountId, actor: g.actor, windowStart: g.windowStart })),
      },
    });
    const byKey = new Map(found.map((f) => [keyOf(f), f]));
    const findingOf = (g: FindingGroup): Finding => {
      const f = byKey.get(keyOf(g));
      if (!f) throw new Error(`finding for ${keyOf(g)} vanished`);
      return f;
    };

    const room = new Map(found.map((f) => [f.id, Math.max(0, EVIDENCE_RECORDS - f.eventCount)]));
    const rows = groups.flatMap((g) => {
      const f = findingOf(g);
      return g.events.map((e) => {
        const left = room.get(f.id) ?? 0;
        room.set(f.id, left - 1);
        return { findingId: f.id, eventId: e.eventId, eventTime: e.eventTime.toISOString(), record: left > 0 ? JSON.stringify(e.record) : null };
      });
    });
    // Set-based SQL for the hot path (see IngestedEventsRepository.claim); RETURNING names the
    // events that were not counted before.
    const inserted = await tx.$queryRaw<Array<{ findingId: string; eventTime: Date | null }>>`
      INSERT INTO finding_events (tenant_id, finding_id, event_id, event_time, record)
      SELECT ${tenantId}::uuid, r.f, r.e, r.t, r.j
      FROM unnest(${rows.map((r) => r.findingId)}::uuid[], ${rows.map((r) => r.eventId)}::text[],
                  ${rows.map((r) => r.eventTime)}::timestamptz[], ${rows.map((r) => r.record)}::text[]::jsonb[]) AS r(f, e, t, j)
      ON CONFLICT DO NOTHING
      RETURNING finding_id AS "findingId", event_time AS "eventTime"`;

    // Per finding: events newly counted, their time span, and whether an unsuppressed match arrived.
    const changes = new Map<string, { n: number; first: number; last: number; reopen: boolean }>();
    for (const row of inserted) {
      const c = changes.get(row.findingId) ?? { n: 0, first: Infinity, last: -Infinity, reopen: false };
      const t = row.eventTime?.getTime() ?? Date.now();
      changes.set(row.findingId, { ...c, n: c.n + 1, first: Math.min(c.first, t), last: Math.max(c.last, t) });
    }
    for (const g of groups) {
      const f = findingOf(g);
      const c = changes.get(f.id);
      if (c && g.allowlistEntryId === undefined && f.status === 'suppressed') c.reopen = true;
    }
    const ids = [...changes.keys()];
    if (ids.length > 0) {
      const v = ids.map((id) => changes.get(id)!);
      await tx.$executeRaw`
        UPDATE findings AS f SET
          event_count = f.event_count + v.n,
          first_seen_at = LEAST(f.first_seen_at, v.first),
          last_seen_at = GREATEST(f.last_seen_at, v.last),
          status = CASE WHEN v.reopen AND f.status = 'suppressed' THEN 'open'::"FindingStatus" ELSE f.status END,
          allowlist_entry_id = CASE WHEN v.reopen AND f.status = 'suppressed' THEN NULL ELSE f.allowlist_entry_id END,
          updated_at = now()
        FROM unnest(${ids}::uuid[], ${v.map((c) => c.n)}::int[], ${v.map((c) => new Date(c.first).toISOString())}::timestamptz[],
                    ${v.map((c) => new Date(c.last).toISOString())}::timestamptz[], ${v.map((c) => c.reopen)}::boolean[])
          AS v(id, n, first, last, reopen)
        WHERE f.tenant_id = ${tenantId}::uuid AND f.id = v.id`;
    }
    const after = ids.length > 0 ? await tx.finding.findMany({ where: { tenantId, id: { in: ids } } }) : [];
    const afterById = new Map(after.map((f) => [f.id, f]));

    const outcomes = new Map<string, GroupOutcome>();
    for (const before of found) {
      const finding = afterById.get(before.id) ?? before;
      const c = changes.get(before.id);
      if (proposed.get(keyOf(before)) === before.id) outcomes.set(before.id, { kind: 'created', finding });
      else if (!c) outcomes.set(before.id, { kind: 'unchanged', finding });
      else if (c.reopen) outcomes.set(before.id, { kind: 'unsuppressed', finding, added: c.n });
      else outcomes.set(before.id, { kind: 'events_added', finding, added: c.n });
    }
    return [...outcomes.values()];
  }

  addActivities(scope: TenantScope, rows: Array<{ findingId: string; type: string; actor: string | null; data?: Prisma.InputJsonObject }>) {
    return scope.tx.findingActivity.createMany({
      data: rows.map((r) => ({ tenantId: scope.tenantId, findingId: r.findingId, type: r.type, actor: r.actor, data: r.data ?? Prisma.JsonNull })),
    });
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
