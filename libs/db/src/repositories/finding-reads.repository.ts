import type { Database, SqlQuery } from '../database';
import type { Finding, FindingEvent } from '../generated/client';
import { decodeCursor, encodeCursor, InvalidCursorError, type Page, type PageRequest } from '../pagination';
import type { TenantId } from '../tenant-id';
import { isUuid } from '../tenant-id';
import { EVIDENCE_RECORDS, type FindingFilters } from './findings.repository';

type TimeColumns = 'firstSeenAt' | 'lastSeenAt' | 'windowStart' | 'createdAt' | 'updatedAt';
/**
 * The columns a finding's view needs (everything but tenant_id), named as the Prisma model; the
 * times come as ISO 8601 text from Postgres (what the view shows), so a page costs no Date
 * parsing and formatting per row.
 */
export type FindingRow = Omit<Finding, 'tenantId' | TimeColumns> & { [K in TimeColumns]: string };
export type EvidenceRow = Pick<FindingEvent, 'eventId' | 'eventTime' | 'record'>;

/** timestamptz(3) as Date#toISOString writes it: UTC, milliseconds, `Z`. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const FINDING_COLUMNS = `id, kind, rule_id AS "ruleId", rule_title AS "ruleTitle", severity, status,
  account_id AS "accountId", actor, ${iso('window_start')} AS "windowStart", tags, region, source_ip AS "sourceIp",
  user_agent AS "userAgent", event_count AS "eventCount", ${iso('first_seen_at')} AS "firstSeenAt",
  ${iso('last_seen_at')} AS "lastSeenAt", assignee, allowlist_entry_id AS "allowlistEntryId",
  related_finding_id AS "relatedFindingId", details, ${iso('created_at')} AS "createdAt", ${iso('updated_at')} AS "updatedAt"`;

/**
 * The API's reads of findings: one page or one finding with its evidence, in one round trip
 * (`Database.readAsTenant`), selecting only the columns the view shows and at most a page of rows.
 * Plain SQL because on this path the ORM's per-query work cost more than the query itself.
 */
export class FindingReadsRepository {
  async list(db: Database, tenantId: TenantId, f: FindingFilters, page: PageRequest): Promise<Page<FindingRow>> {
    const values: unknown[] = [tenantId];
    const param = (v: unknown) => `$${values.push(v)}`;
    const where = ['tenant_id = $1'];
    if (f.status) where.push(`status = ANY(${param(f.status)}::"FindingStatus"[])`);
    if (f.severity) where.push(`severity = ANY(${param(f.severity)}::"Severity"[])`);
    if (f.ruleId) where.push(`rule_id = ${param(f.ruleId)}`);
    if (f.accountId) where.push(`account_id = ${param(f.accountId)}::uuid`);
    if (f.actor) where.push(`actor = ${param(f.actor)}`);
    if (f.kind) where.push(`kind = ${param(f.kind)}::"FindingKind"`);
    if (f.from) where.push(`last_seen_at >= ${param(f.from)}`);
    if (f.to) where.push(`last_seen_at < ${param(f.to)}`);
    if (page.cursor) {
      const c = decodeCursor(page.cursor);
      if (!isUuid(c.id)) throw new InvalidCursorError();
      // Row comparison: the (tenant_id, created_at desc, id desc) index walks straight to it.
      where.push(`(created_at, id) < (${param(c.createdAt)}::timestamptz, ${param(c.id)}::uuid)`);
    }
    const query: SqlQuery = {
      text: `SELECT ${FINDING_COLUMNS} FROM findings WHERE ${where.join(' AND ')}
             ORDER BY created_at DESC, id DESC LIMIT ${param(page.limit + 1)}`,
      values,
    };
    const [rows = []] = await db.readAsTenant<FindingRow>(tenantId, [query]);
    const data = rows.slice(0, page.limit);
    const last = data[data.length - 1];
    return {
      data,
      nextCursor: rows.length > page.limit && last ? encodeCursor({ createdAt: new Date(last.createdAt), id: last.id }) : null,
    };
  }

  /** One finding and its sampled evidence (the first and the latest, in the order they were counted), or null. */
  async getWithEvidence(
    db: Database,
    tenantId: TenantId,
    id: string,
    limit = EVIDENCE_RECORDS,
  ): Promise<{ finding: FindingRow; evidence: EvidenceRow[] } | null> {
    if (!isUuid(id)) return null;
    const [found, evidence] = await db.readAsTenant(tenantId, [
      { text: `SELECT ${FINDING_COLUMNS} FROM findings WHERE tenant_id = $1 AND id = $2`, values: [tenantId, id] },
      {
        text: `SELECT event_id AS "eventId", event_time AS "eventTime", record FROM finding_events
               WHERE tenant_id = $1 AND finding_id = $2 ORDER BY seq ASC, event_time ASC, event_id ASC LIMIT $3`,
        values: [tenantId, id, limit],
      },
    ]);
    const finding = found?.[0] as FindingRow | undefined;
    return finding ? { finding, evidence: (evidence ?? []) as EvidenceRow[] } : null;
  }
}
