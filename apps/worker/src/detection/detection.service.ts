import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { actorOf, type CloudTrailRecord } from '@trailguard/cloudtrail';
import {
  Database,
  FindingsRepository,
  IngestedEventsRepository,
  asTenantId,
  type FindingGroup,
  type Prisma,
  type SqlScope,
} from '@trailguard/db';
import {
  actorKey,
  eventTimeOf,
  findAllowlistEntry,
  isTrailChange,
  severityOf,
  windowStartOf,
  type LoadedTenantRules,
  TenantRulesLoader,
} from '@trailguard/detection';
import { decodeRecords, pendingBatchesKey, type JobOf, type RedisClient } from '@trailguard/queues';
import { WORKER_RUNTIME, type WorkerRuntime } from '../worker-runtime';
import { DETECTION_REDIS } from './detection.tokens';
import { FindingAlerts } from './finding-alerts';
import { eventsDuplicate, eventsEvaluated, eventsRefused, findingsCreated, findingsSuppressed, ruleMatches } from './detection.metrics';

/** An eventTime this far ahead of the clock is refused: CloudTrail does not log the future, and partitions are made a week ahead. */
const FUTURE_SKEW_MS = 24 * 3600_000;

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

  constructor(
    private readonly db: Database,
    private readonly rules: TenantRulesLoader,
    @Inject(DETECTION_REDIS) private readonly redis: RedisClient,
    @Inject(WORKER_RUNTIME) private readonly runtime: WorkerRuntime,
  ) {}

  async evaluateBatch(job: JobOf<'detect.batch'>): Promise<{ evaluated: number; findings: number }> {
    const tenantId = asTenantId(job.tenantId);
    const { config } = this.runtime;
    const now = new Date();
    const oldest = now.getTime() - config.DEDUP_WINDOW_HOURS * 3600_000;
    const newest = now.getTime() + FUTURE_SKEW_MS;
    const candidates: Candidate[] = [];
    let tooOld = 0;
    let future = 0;
    for (const r of decodeRecords(job.recordsGz)) {
      const c = candidate(r as CloudTrailRecord, now);
      // Outside the ledger's window an event cannot be recognised as a repeat: refused, not risked.
      if (c.eventTime.getTime() < oldest) tooOld++;
      else if (c.eventTime.getTime() > newest) future++;
      else candidates.push(c);
    }
    if (tooOld > 0) eventsRefused.inc({ reason: 'too_old' }, tooOld);
    if (future > 0) eventsRefused.inc({ reason: 'in_future' }, future);
    const rules = await this.rules.get(tenantId);
    // Claim, evaluate and fold in one transaction: a batch whose job runs twice finds its events
    // claimed (committed with their findings) or not claimed at all (rolled back with them).
    const result = await this.db.withTenantSql(tenantId, async (scope) => {
      const owned = await this.ingested.claim(
        scope,
        { batchId: job.batchId, accountId: job.accountId, source: job.source },
        candidates.map((c) => ({ eventId: c.eventId, eventTime: c.eventTime })),
      );
      // Each owned event once, even if the batch carried it twice: groups then never see a repeat.
      const mine: Candidate[] = [];
      for (const c of candidates) {
        if (owned.delete(c.eventId)) mine.push(c);
      }
      const groups = await this.group(mine, rules, job.accountId);
      const touched = groups.length > 0 ? await this.fold(scope, groups, rules) : 0;
      return { evaluated: mine.length, findings: touched };
    });
    eventsDuplicate.inc(candidates.length - result.evaluated);
    eventsEvaluated.inc(result.evaluated);
    await this.redis.srem(pendingBatchesKey(job.tenantId), job.batchId);
    return result;
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
        ...alerts.map((a) => ({
          ...a,
          report: true,
          kind: 'correlation' as const,
          details: { type: a.type, group: a.group, eventIds: a.eventIds },
        })),
      ];
      if (reported.length === 0) continue;
      const actor = actorKey(c.record);
      const identity = actorOf(c.record);
      const windowStart = windowStartOf(c.eventTime, windowSeconds);
      for (const m of reported) {
        if (!rules.isEnabled(m.ruleId)) continue;
        // A tenant's own rule ids are theirs, not the operator's: one "custom" series for all of them.
        ruleMatches.inc({ rule_id: rules.customIds.has(m.ruleId) ? 'custom' : m.ruleId });
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
  private async fold(scope: SqlScope, groups: FindingGroup[], rules: LoadedTenantRules): Promise<number> {
    const outcomes = await this.findings.foldGroups(scope, groups, this.runtime.config.FINDING_EVIDENCE_MAX);
    const created = outcomes.filter((o) => o.kind === 'created').map((o) => o.finding);
    for (const f of created) {
      findingsCreated.inc({ severity: f.severity });
      if (f.status === 'suppressed') findingsSuppressed.inc();
    }
    await this.findings.linkPostureCauses(scope, created.filter(isTrailChange));
    // One message per (event, actor), naming every finding the event raised; none for quiet rules.
    const alerts = new FindingAlerts(groups, (ruleId) => rules.isAlerting(ruleId));
    await this.findings.recordChanges(scope, alerts.regroup(outcomes, this.findings.changesOf(outcomes)));
    return outcomes.length;
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
