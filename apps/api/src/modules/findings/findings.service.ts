import { Inject, Injectable } from '@nestjs/common';
import {
  Database,
  FindingReadsRepository,
  FindingsRepository,
  type FindingChange,
  type PageRequest,
  type Prisma,
  type TenantId,
} from '@trailguard/db';
import { findingView, ocsfDetectionFinding, TenantRulesLoader } from '@trailguard/detection';
import { notFound } from '../../common/domain-error';
import type { Principal } from '../../common/auth';
import { RUNTIME, type Runtime } from '../../common/runtime';
import type { GetFindingQuery, ListFindingsQuery, PatchFindingBody } from './findings.dto';

@Injectable()
export class FindingsService {
  private readonly findings = new FindingsRepository();
  private readonly reads = new FindingReadsRepository();

  constructor(
    private readonly db: Database,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly rules: TenantRulesLoader,
  ) {}

  async list(tenantId: TenantId, q: ListFindingsQuery) {
    const page = await this.reads.list(
      this.db,
      tenantId,
      {
        ...(q.status ? { status: q.status } : {}),
        ...(q.severity ? { severity: q.severity } : {}),
        ...(q.ruleId ? { ruleId: q.ruleId } : {}),
        ...(q.accountId ? { accountId: q.accountId } : {}),
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.from ? { from: new Date(q.from) } : {}),
        ...(q.to ? { to: new Date(q.to) } : {}),
      },
      { limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) },
    );
    const views = page.data.map(findingView);
    return { data: q.format === 'ocsf' ? views.map((v) => ocsfDetectionFinding(v)) : views, nextCursor: page.nextCursor };
  }

  async get(tenantId: TenantId, id: string, format: GetFindingQuery['format'] = 'trailguard') {
    const found = await this.reads.getWithEvidence(this.db, tenantId, id, this.runtime.config.FINDING_EVIDENCE_MAX);
    if (!found) throw notFound('finding', id);
    const { finding, evidence } = found;
    if (format === 'ocsf') return ocsfDetectionFinding(findingView(finding), evidence);
    return {
      ...findingView(finding),
      evidence: evidence.map((e) => ({ eventId: e.eventId, eventTime: e.eventTime, record: e.record })),
      // More events than evidence records: the evidence is a sample (the first and the latest); eventCount is exact.
      evidenceSampled: finding.eventCount > evidence.length,
    };
  }

  /** Status, assignee and comments; each change is one activity entry, status changes a webhook event. */
  async update(tenantId: TenantId, id: string, body: PatchFindingBody, by: Principal) {
    const rules = await this.rules.get(tenantId);
    return this.db.forTenant(tenantId, async (scope) => {
      const before = await this.findings.get(scope, id);
      if (!before) throw notFound('finding', id);
      const actor = `api-key:${by.keyId}`;
      const data: { status?: typeof body.status; assignee?: string | null } = {};
      if (body.status !== undefined && body.status !== before.status) data.status = body.status;
      if (body.assignee !== undefined && body.assignee !== before.assignee) data.assignee = body.assignee;
      const after = Object.keys(data).length > 0 ? await this.findings.update(scope, id, data) : before;
      // Each change is one activity entry; a status change is also a webhook event.
      const changes: FindingChange[] = [];
      if (data.status) {
        changes.push({
          findingId: id,
          activity: { type: 'status_changed', actor, data: { from: before.status, to: data.status } },
          // A quiet rule's finding never alerted, so its status changes are not announced either.
          ...(rules.isAlerting(before.ruleId) && {
            event: {
              type: 'finding.updated',
              data: {
                reason: 'status_changed',
                from: before.status,
                to: data.status,
                finding: findingView(after) as unknown as Prisma.InputJsonObject,
              },
            },
          }),
        });
      }
      if (data.assignee !== undefined)
        changes.push({ findingId: id, activity: { type: 'assigned', actor, data: { from: before.assignee, to: data.assignee } } });
      if (body.comment) changes.push({ findingId: id, activity: { type: 'commented', actor, data: { comment: body.comment } } });
      await this.findings.recordChanges(scope, changes);
      return findingView(after);
    });
  }

  async activity(tenantId: TenantId, id: string, page: PageRequest) {
    return this.db.forTenant(tenantId, async (scope) => {
      if (!(await this.findings.get(scope, id))) throw notFound('finding', id);
      const result = await this.findings.activity(scope, id, page);
      return {
        data: result.data.map((a) => ({ id: a.id, type: a.type, actor: a.actor, data: a.data, createdAt: a.createdAt })),
        nextCursor: result.nextCursor,
      };
    });
  }
}
