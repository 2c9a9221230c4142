import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { actorOf, type CloudTrailRecord } from '@trailguard/cloudtrail';
import {
  Database,
  DomainEventsRepository,
  FindingsRepository,
  IngestedEventsRepository,
  asTenantId,
  type FindingGroup,
  type Prisma,
  type TenantScope,
} from '@trailguard/db';
import {
  actorKey,
  eventTimeOf,
  findAllowlistEntry,
  findingView,
  linkPostureCause,
  severityOf,
  windowStartOf,
  type LoadedTenantRules,
  TenantRulesLoader,
} from '@trailguard/detection';
import { decodeRecords, pendingBatchesKey, type JobOf } from '@trailguard/queues';
import { WORKER_RUNTIME, type WorkerRuntime } from '../worker-runtime';
import { DETECTION_REDIS } from './detection.tokens';
import { eventsDuplicate, eventsEvaluated, findingsCreated, findingsSuppressed, ruleMatches } from './detection.metrics';

interface Candidate {
  eventId: string;
  eventTime: Date;
  record: CloudTrailRecord;
}

/**
 * Batches in, findings out. Each event is claimed once per tenant (by eventID, whatever path
 * brought it), evaluated with the tenant's rules, and folded into findings; domain events for
 * webhooks are written in the same transaction as the findings they describe.
 */
@Injectable()
export class DetectionService {
  private readonly ingested = new IngestedEventsRepository();
  private readonly findings = new FindingsRepository();
  private readonly events = new DomainEventsRepository();

  constructor(
    private readonly db: Database,
    private readonly rules: TenantRulesLoader,
    @Inject(DETECTION_REDIS) private readonly redis: Redis,
    @Inject(WORKER_RUNTIME) private readonly runtime: WorkerRuntime,
  ) {}

  async evaluateBatch(job: JobOf<'detect.batch'>): Promise<{ evaluated: number; findings: number }> {
    const tenantId = asTenantId(job.tenantId);
    const now = new Date();
    const candidates = decodeRecords(job.recordsGz).map((r) => candidate(r as CloudTrailRecord, now));
    const rules = await this.rules.get(tenantId);
    const owned = await this.db.forTenant(tenantId, (scope) =>
      this.ingested.claim(
        scope,
        { batchId: job.batchId, accountId: job.accountId, source: job.source },
        candidates.map((c) => ({ eventId: c.eventId, eventTime: c.eventTime })),
      ),
    );
    // Each owned event once, even if the batch carried it twice: groups then never see a repeat.
    const mine = [...new Map(candidates.filter((c) => owned.has(c.eventId)).map((c) => [c.eventId, c])).values()];
    eventsDuplicate.inc(candidates.length - mine.length);
    const groups = await this.group(mine, rules, job.accountId);
    const touched = groups.length > 0 ? await this.db.forTenant(tenantId, (scope) => this.fold(scope, groups)) : 0;
    eventsEvaluated.inc(mine.length);
    await this.redis.srem(pendingBatchesKey(job.tenantId), job.batchId);
    return { evaluated: mine.length, findings: touched };
  }

  private async group(events: Candidate[], rules: LoadedTenantRules, accountId: string): Promise<FindingGroup[]> {
    const windowSeconds = this.runtime.config.FINDING_WINDOW_SECONDS;
    const groups = new Map<string, FindingGroup>();
    const add = (key: string, make: () => FindingGroup, c: Candidate) => {
      let g = groups.get(key);
      if (!g) groups.set(key, (g = make()));
      g.events.push({ eventId: c.eventId, eventTime: c.eventTime, record: c.record as Prisma.InputJsonObject });
    };
    for (const c of events) {
      const all = rules.ruleSet.match(c.record);
      const alerts = rules.ruleSet.hasCorrelations && all.length > 0 ? await rules.ruleSet.correlate(c.record, all) : [];
      const reported = [
        ...all.filter((m) => m.report).map((m) => ({ ...m, kind: 'detection' as const, details: undefined })),
        ...alerts.map((a) => ({ ...a, report: true, kind: 'correlation' as const, details: { type: a.type, group: a.group, eventIds: a.eventIds } })),
      ];
      if (reported.length === 0) continue;
      const actor = actorKey(c.record);
      const identity = actorOf(c.record);
      const windowStart = windowStartOf(c.eventTime, windowSeconds);
      for (const m of reported) {
        if (!rules.isEnabled(m.ruleId)) continue;
        ruleMatches.inc({ rule_id: m.ruleId });
        const entry = findAllowlistEntry(rules.allowlist, identity, m.ruleId, c.eventTime);
        const key = [m.ruleId, actor, windowStart.getTime(), entry?.id ?? ''].join('|');
        add(
          key,
          () => ({
            kind: m.kind,
            ruleId: m.ruleId,
            ruleTitle: m.ruleTitle,
            severity: severityOf(m.level, rules.levelOverride(m.ruleId)),
            accountId,
            actor,
            windowStart,
            tags: m.tags,
            region: str(c.record.awsRegion),
            sourceIp: str(c.record.sourceIPAddress),
            userAgent: str(c.record.userAgent),
            ...(entry ? { allowlistEntryId: entry.id } : {}),
            ...(m.details ? { details: m.details as Prisma.InputJsonObject } : {}),
            events: [],
          }),
          c,
        );
      }
    }
    return [...groups.values()];
  }

  /** Folds the groups into findings and records what happened; returns how many findings changed. */
  private async fold(scope: TenantScope, groups: FindingGroup[]): Promise<number> {
    const outcomes = await this.findings.foldGroups(scope, groups);
    const activities: Parameters<FindingsRepository['addActivities']>[1] = [];
    const events: Parameters<DomainEventsRepository['recordMany']>[1] = [];
    for (const outcome of outcomes) {
      const { finding } = outcome;
      const view = () => findingView(finding) as unknown as Prisma.InputJsonObject;
      switch (outcome.kind) {
        case 'created': {
          const suppressed = finding.status === 'suppressed';
          await linkPostureCause(scope, finding);
          findingsCreated.inc({ severity: finding.severity });
          if (suppressed) findingsSuppressed.inc();
          activities.push({
            findingId: finding.id,
            type: 'created',
            actor: 'trailguard',
            data: { eventCount: finding.eventCount, suppressed, allowlistEntryId: finding.allowlistEntryId },
          });
          if (!suppressed) events.push({ type: 'finding.created', data: view() });
          break;
        }
        case 'unsuppressed':
          activities.push({ findingId: finding.id, type: 'allowlist_no_longer_applies', actor: 'trailguard', data: { added: outcome.added } });
          events.push({ type: 'finding.created', data: view() });
          break;
        case 'events_added':
          activities.push({ findingId: finding.id, type: 'events_added', actor: 'trailguard', data: { added: outcome.added } });
          if (finding.status !== 'suppressed') {
            events.push({ type: 'finding.updated', data: { reason: 'events_added', added: outcome.added, finding: view() } });
          }
          break;
        case 'unchanged':
          break;
      }
    }
    await this.findings.addActivities(scope, activities);
    await this.events.recordMany(scope, events);
    return outcomes.filter((o) => o.kind !== 'unchanged').length;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Records without an eventID get a content hash, so duplicates of them still dedupe. */
function candidate(record: CloudTrailRecord, now: Date): Candidate {
  const eventId =
    typeof record.eventID === 'string' && record.eventID.length > 0
      ? record.eventID
      : `sha256:${createHash('sha256').update(JSON.stringify(record)).digest('hex')}`;
  return { eventId, eventTime: eventTimeOf(record, now), record };
}
