import { actorKey, ocsfDetectionFinding, severityOf, type FindingView } from '@trailguard/detection';
import { eventIdOf } from './match-fields';
import type { AlertContext, MatchContext, ScanOutput } from './scan-output.types';

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const iso = (value: unknown): string => {
  const t = typeof value === 'string' ? Date.parse(value) : NaN;
  return new Date(Number.isFinite(t) ? t : Date.now()).toISOString();
};

/**
 * One OCSF Detection Finding (class 2004) a line, as the API renders findings (`?format=ocsf`): a
 * rule match is a finding of one event, with the record as its evidence; a correlation alert is a
 * finding of its events.
 */
export class OcsfOutput implements ScanOutput {
  header(): string[] {
    return [];
  }

  match({ match, record }: MatchContext): string[] {
    const eventId = eventIdOf(record) ?? '';
    const time = iso(record.eventTime);
    const view = finding({
      id: `${match.ruleId}:${eventId}`,
      kind: 'detection',
      ruleId: match.ruleId,
      ruleTitle: match.ruleTitle,
      severity: severityOf(match.level),
      actor: actorKey(record),
      tags: match.tags,
      region: str(record.awsRegion),
      sourceIp: str(record.sourceIPAddress),
      userAgent: str(record.userAgent),
      eventCount: 1,
      time,
      details: null,
    });
    return [JSON.stringify(ocsfDetectionFinding(view, [{ eventId, record }]))];
  }

  alert({ alert, record }: AlertContext): string[] {
    const view = finding({
      id: `${alert.ruleId}:${alert.eventIds.join(',')}`,
      kind: 'correlation',
      ruleId: alert.ruleId,
      ruleTitle: alert.ruleTitle,
      severity: severityOf(alert.level),
      actor: '',
      tags: alert.tags,
      region: str(record.awsRegion),
      sourceIp: null,
      userAgent: null,
      eventCount: alert.eventIds.length,
      time: iso(record.eventTime),
      details: { type: alert.type, group: alert.group, eventIds: alert.eventIds } as FindingView['details'],
    });
    return [JSON.stringify(ocsfDetectionFinding(view))];
  }

  footer(): string[] {
    return [];
  }
}

type FindingInput = Pick<
  FindingView,
  'id' | 'kind' | 'ruleId' | 'ruleTitle' | 'severity' | 'actor' | 'tags' | 'region' | 'sourceIp' | 'userAgent' | 'eventCount' | 'details'
> & {
  time: string;
};

/** A finding as the API would show it, for a scan that has no database: open, seen once at the event's time. */
function finding(f: FindingInput): FindingView {
  const { time, ...rest } = f;
  return {
    ...rest,
    status: 'open',
    accountId: '',
    firstSeenAt: time,
    lastSeenAt: time,
    windowStart: time,
    assignee: null,
    allowlistEntryId: null,
    relatedFindingId: null,
    createdAt: time,
    updatedAt: time,
  } as FindingView;
}
