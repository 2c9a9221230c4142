import { randomUUID } from 'node:crypto';
import type { SqlScope } from '../database';
import { findingView } from '../finding-view';
import type { Finding, FindingKind, Prisma, Severity } from '../generated/client';
import type { DomainEventType } from './domain-events.repository';

/**
 * "A finding changed", in one place: the finding row, its activity entry and its domain event
 * (the outbox) are written here and nowhere else, in a fixed number of statements whatever the
 * number of findings. The worker's fold, the posture finding and the API's triage all use it.
 */

/** Columns of `findings` as the Prisma model names them, for raw statements that return findings. */
export const FINDING_COLUMNS = `f.id, f.tenant_id AS "tenantId", f.kind, f.rule_id AS "ruleId", f.rule_title AS "ruleTitle",
  f.severity, f.status, f.account_id AS "accountId", f.actor, f.window_start AS "windowStart", f.tags, f.region,
  f.source_ip AS "sourceIp", f.user_agent AS "userAgent", f.event_count AS "eventCount", f.first_seen_at AS "firstSeenAt",
  f.last_seen_at AS "lastSeenAt", f.assignee, f.allowlist_entry_id AS "allowlistEntryId",
  f.related_finding_id AS "relatedFindingId", f.details, f.created_at AS "createdAt", f.updated_at AS "updatedAt"`;

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
  /** Events not counted before (the de-duplication ledger guarantees it): each is counted. */
  events: Array<{ eventId: string; eventTime: Date; record: Prisma.InputJsonObject }>;
}

export type GroupOutcome =
  | { kind: 'created'; finding: Finding }
  | { kind: 'events_added'; finding: Finding; added: number }
  | { kind: 'unsuppressed'; finding: Finding; added: number };

/** One change of one finding: its activity entry, and the domain event receivers get (if any). */
export interface FindingChange {
  findingId: string;
  activity: { type: string; actor: string | null; data?: Prisma.InputJsonObject };
  event?: { type: DomainEventType; data: Prisma.InputJsonObject };
}

/** Evidence kept per finding: the first half of the budget for the first events, the rest for the latest. */
export function evidenceSplit(max: number): { first: number; latest: number } {
  const first = Math.ceil(max / 2);
  return { first, latest: max - first };
}

const keyOf = (g: { ruleId: string; accountId: string | null; actor: string; windowStart: Date }) =>
  `${g.ruleId}|${g.accountId}|${g.actor}|${g.windowStart.getTime()}`;

/** Activity rows and outbox rows of these changes: two statements. */
export async function recordFindingChanges(scope: SqlScope, changes: readonly FindingChange[]): Promise<void> {
  if (changes.length === 0) return;
  await scope.sql(
    `INSERT INTO finding_activity (id, tenant_id, finding_id, type, actor, data)
     SELECT gen_random_uuid(), $1::uuid, r.finding_id, r.type, r.actor, r.data
     FROM jsonb_to_recordset($2::jsonb) AS r(finding_id uuid, type text, actor text, data jsonb)`,
    [scope.tenantId, JSON.stringify(changes.map((c) => ({ finding_id: c.findingId, ...c.activity, data: c.activity.data ?? null })))],
  );
  const events = changes.flatMap((c) => (c.event ? [c.event] : []));
  if (events.length === 0) return;
  await scope.sql(
    `INSERT INTO domain_events (id, tenant_id, type, data)
     SELECT gen_random_uuid(), $1::uuid, r.type, r.data FROM jsonb_to_recordset($2::jsonb) AS r(type text, data jsonb)`,
    [scope.tenantId, JSON.stringify(events)],
  );
}

/**
 * Folds groups of new matching events into the one finding of each (rule, account, actor,
 * window): one upsert for the findings (counts, first/last seen, reopening a suppressed one),
 * one insert and one delete for the sampled evidence. Returns one outcome per finding.
 */
export async function foldGroups(scope: SqlScope, groups: readonly FindingGroup[], evidenceMax: number): Promise<GroupOutcome[]> {
  // Groups that share a finding (different allowlist entries of one actor) become one row: an
  // upsert may touch a row once per statement. Sorted by key, so concurrent batches lock in one order.
  const merged = new Map<string, { g: FindingGroup; events: FindingGroup['events']; unsuppressed: boolean }>();
  for (const g of groups) {
    const m = merged.get(keyOf(g));
    if (m) {
      m.events.push(...g.events);
      m.unsuppressed ||= g.allowlistEntryId === undefined;
    } else merged.set(keyOf(g), { g, events: [...g.events], unsuppressed: g.allowlistEntryId === undefined });
  }
  const rows = [...merged.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { g, events, unsuppressed }]) => {
      events.sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime() || (a.eventId < b.eventId ? -1 : 1));
      return {
        g,
        events,
        row: {
          id: randomUUID(),
          kind: g.kind,
          rule_id: g.ruleId,
          rule_title: g.ruleTitle,
          severity: g.severity,
          status: unsuppressed ? 'open' : 'suppressed',
          account_id: g.accountId,
          actor: g.actor,
          window_start: g.windowStart.toISOString(),
          tags: g.tags,
          region: g.region ?? null,
          source_ip: g.sourceIp ?? null,
          user_agent: g.userAgent ?? null,
          allowlist_entry_id: unsuppressed ? null : (g.allowlistEntryId ?? null),
          details: g.details ?? null,
          n: events.length,
          first_seen: events[0]!.eventTime.toISOString(),
          last_seen: events[events.length - 1]!.eventTime.toISOString(),
          reopen: unsuppressed,
        },
      };
    });
  const upserted = await scope.sql<Finding & { created: boolean; prevStatus: string | null }>(
    `WITH v AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, kind "FindingKind", rule_id text, rule_title text,
         severity "Severity", status "FindingStatus", account_id uuid, actor text, window_start timestamptz, tags jsonb,
         region text, source_ip text, user_agent text, allowlist_entry_id uuid, details jsonb, n int,
         first_seen timestamptz, last_seen timestamptz, reopen boolean)
     ), prev AS (
       SELECT p.id, p.status FROM findings p JOIN v ON p.tenant_id = $1::uuid AND p.rule_id = v.rule_id
         AND p.account_id = v.account_id AND p.actor = v.actor AND p.window_start = v.window_start
     ), up AS (
       INSERT INTO findings AS f (id, tenant_id, kind, rule_id, rule_title, severity, status, account_id, actor, window_start,
         tags, region, source_ip, user_agent, allowlist_entry_id, details, event_count, first_seen_at, last_seen_at, updated_at)
       SELECT v.id, $1::uuid, v.kind, v.rule_id, v.rule_title, v.severity, v.status, v.account_id, v.actor, v.window_start,
         ARRAY(SELECT jsonb_array_elements_text(v.tags)), v.region, v.source_ip, v.user_agent, v.allowlist_entry_id,
         v.details, v.n, v.first_seen, v.last_seen, now()
       FROM v
       ON CONFLICT (tenant_id, rule_id, account_id, actor, window_start) DO UPDATE SET
         event_count = f.event_count + EXCLUDED.event_count,
         first_seen_at = LEAST(f.first_seen_at, EXCLUDED.first_seen_at),
         last_seen_at = GREATEST(f.last_seen_at, EXCLUDED.last_seen_at),
         status = CASE WHEN EXCLUDED.status = 'open' AND f.status = 'suppressed' THEN 'open'::"FindingStatus" ELSE f.status END,
         allowlist_entry_id = CASE WHEN EXCLUDED.status = 'open' AND f.status = 'suppressed' THEN NULL ELSE f.allowlist_entry_id END,
         updated_at = now()
       RETURNING f.*, (xmax = 0) AS created
     )
     SELECT ${FINDING_COLUMNS.replaceAll('f.', 'up.')}, up.created, prev.status AS "prevStatus"
     FROM up LEFT JOIN prev ON prev.id = up.id`,
    [scope.tenantId, JSON.stringify(rows.map((r) => r.row))],
  );
  const byKey = new Map(upserted.map((f) => [keyOf(f), f]));

  // Evidence: seq numbers continue the finding's count; keep the first ones and the latest ones,
  // and drop older "latest" ones that newer events push out. Exact counts live on the finding.
  const { first, latest } = evidenceSplit(evidenceMax);
  const evidence: Array<{ finding_id: string; event_id: string; event_time: string; record: unknown; seq: number }> = [];
  const trim: Array<{ id: string; upto: number }> = [];
  const outcomes: GroupOutcome[] = [];
  for (const { row, events } of rows) {
    const f = byKey.get(
      keyOf({ ruleId: row.rule_id, accountId: row.account_id, actor: row.actor, windowStart: new Date(row.window_start) }),
    );
    if (!f) throw new Error(`finding ${row.rule_id}|${row.actor} vanished during the upsert`);
    const { created, prevStatus, ...finding } = f;
    const before = finding.eventCount - events.length;
    events.forEach((e, i) => {
      const seq = before + i + 1;
      if (seq <= first || seq > finding.eventCount - latest) {
        evidence.push({ finding_id: finding.id, event_id: e.eventId, event_time: e.eventTime.toISOString(), record: e.record, seq });
      }
    });
    if (finding.eventCount - latest > first) trim.push({ id: finding.id, upto: finding.eventCount - latest });
    if (created) outcomes.push({ kind: 'created', finding });
    else if (prevStatus === 'suppressed' && finding.status === 'open')
      outcomes.push({ kind: 'unsuppressed', finding, added: events.length });
    else outcomes.push({ kind: 'events_added', finding, added: events.length });
  }
  if (evidence.length > 0) {
    await scope.sql(
      `INSERT INTO finding_events (tenant_id, finding_id, event_id, event_time, record, seq)
       SELECT $1::uuid, r.finding_id, r.event_id, r.event_time, r.record, r.seq
       FROM jsonb_to_recordset($2::jsonb) AS r(finding_id uuid, event_id text, event_time timestamptz, record jsonb, seq int)
       ON CONFLICT DO NOTHING`,
      [scope.tenantId, JSON.stringify(evidence)],
    );
  }
  if (trim.length > 0) {
    await scope.sql(
      `DELETE FROM finding_events e USING unnest($2::uuid[], $3::int[]) AS t(id, upto)
       WHERE e.tenant_id = $1::uuid AND e.finding_id = t.id AND e.seq > $4::int AND e.seq <= t.upto`,
      [scope.tenantId, trim.map((t) => t.id), trim.map((t) => t.upto), first],
    );
  }
  return outcomes;
}

/** The activity and domain event of each fold outcome (suppressed findings raise no webhook). */
export function foldChanges(outcomes: readonly GroupOutcome[]): FindingChange[] {
  const view = (f: Finding) => findingView(f) as unknown as Prisma.InputJsonObject;
  return outcomes.map((o): FindingChange => {
    const { finding } = o;
    switch (o.kind) {
      case 'created': {
        const suppressed = finding.status === 'suppressed';
        return {
          findingId: finding.id,
          activity: {
            type: 'created',
            actor: 'trailguard',
            data: { eventCount: finding.eventCount, suppressed, allowlistEntryId: finding.allowlistEntryId },
          },
          ...(suppressed ? {} : { event: { type: 'finding.created', data: view(finding) } }),
        };
      }
      case 'unsuppressed':
        return {
          findingId: finding.id,
          activity: { type: 'allowlist_no_longer_applies', actor: 'trailguard', data: { added: o.added } },
          event: { type: 'finding.created', data: view(finding) },
        };
      case 'events_added':
        return {
          findingId: finding.id,
          activity: { type: 'events_added', actor: 'trailguard', data: { added: o.added } },
          ...(finding.status === 'suppressed'
            ? {}
            : { event: { type: 'finding.updated', data: { reason: 'events_added', added: o.added, finding: view(finding) } } }),
        };
    }
  });
}

/**
 * Trail-change findings just created become the cause of their account's recent posture
 * finding, unless that one already points at an alerted cause at least as severe. One statement.
 */
export async function linkPostureCauses(scope: SqlScope, causes: readonly Finding[]): Promise<void> {
  const live = causes.filter((c) => c.status !== 'suppressed' && c.accountId);
  if (live.length === 0) return;
  await scope.sql(
    `UPDATE findings AS p SET related_finding_id = c.id, updated_at = now()
     FROM (SELECT DISTINCT ON (account_id) * FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[], $6::"Severity"[])
             AS c(id, account_id, first_seen, last_seen, severity) ORDER BY account_id, severity DESC, last_seen DESC) AS c
     WHERE p.tenant_id = $1::uuid AND p.kind = 'posture' AND p.account_id = c.account_id
       -- Integrity findings pick their cause themselves (the very call, or none at all).
       AND coalesce(p.details->>'causeBy', '') NOT IN ('evidence', 'none')
       AND p.last_seen_at >= c.first_seen - interval '1 hour'
       AND p.last_seen_at <= c.last_seen + interval '24 hours'
       AND (p.related_finding_id IS NULL OR EXISTS (
         SELECT 1 FROM findings o WHERE o.tenant_id = p.tenant_id AND o.id = p.related_finding_id
           AND (o.status = 'suppressed' OR o.severity < c.severity)))`,
    [
      scope.tenantId,
      live.map((c) => c.id),
      live.map((c) => c.accountId),
      live.map((c) => c.firstSeenAt.toISOString()),
      live.map((c) => c.lastSeenAt.toISOString()),
      live.map((c) => c.severity),
    ],
  );
}
