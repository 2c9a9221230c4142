import { actorOf } from '@trailguard/cloudtrail';
import type { CorrelationAlert } from '@trailguard/sigma';
import type { MatchContext } from './scan-output.types';

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The event id as CloudTrail writes it; a few exports spell it `eventId`. */
export const eventIdOf = (record: Record<string, unknown>): string | null => str(record['eventID']) ?? str(record['eventId']);

/** The NDJSON object of a rule match (ruleId, ruleTitle, level, eventId first: the public interface). */
export function matchObject({ match, record, source, position }: MatchContext): Record<string, unknown> {
  const actor = actorOf(record);
  const out: Record<string, unknown> = {
    ruleId: match.ruleId,
    ruleTitle: match.ruleTitle,
    level: match.level,
    eventId: eventIdOf(record),
    eventName: str(record.eventName),
    eventSource: str(record.eventSource),
    eventTime: str(record.eventTime),
    awsRegion: str(record.awsRegion),
    recipientAccountId: str(record.recipientAccountId),
    actor: actor.arn ?? actor.roleArn ?? null,
  };
  if (actor.roleArn !== undefined) out['actorRoleArn'] = actor.roleArn;
  out['tags'] = match.tags;
  out['source'] = source;
  if (position.line !== undefined) out['line'] = position.line;
  if (position.pointer !== undefined) out['pointer'] = position.pointer;
  return out;
}

/** The NDJSON object of a correlation alert (ruleId, group, eventIds: the public interface). */
export function alertObject(alert: CorrelationAlert): Record<string, unknown> {
  return {
    ruleId: alert.ruleId,
    ruleTitle: alert.ruleTitle,
    level: alert.level,
    type: alert.type,
    group: alert.group,
    eventIds: alert.eventIds,
    tags: alert.tags,
  };
}
