import { actorOf, type CloudTrailRecord } from '@trailguard/cloudtrail';

export type Severity = 'informational' | 'low' | 'medium' | 'high' | 'critical';

const LEVELS: Record<string, Severity> = {
  informational: 'informational',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
};

export const SEVERITY_RANK: Record<Severity, number> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };

export function severityOf(level: string, override?: Severity | null): Severity {
  return override ?? LEVELS[level.toLowerCase()] ?? 'medium';
}

/**
 * Who a finding is about: the role for assumed-role sessions (session names change every
 * time), else the caller's ARN, else what the identity says about itself.
 */
export function actorKey(record: CloudTrailRecord): string {
  const actor = actorOf(record);
  if (actor.roleArn) return actor.roleArn;
  if (actor.arn) return actor.arn;
  const id = record.userIdentity;
  if (id && typeof id === 'object') {
    const parts = [id.type, id.principalId ?? id.invokedBy ?? id.accountId].filter((p) => typeof p === 'string' && p);
    if (parts.length > 0) return parts.join(':');
  }
  return 'unknown';
}

/** The event time, or `fallback` when the record has none or an unparseable one. */
export function eventTimeOf(record: CloudTrailRecord, fallback: Date): Date {
  const t = typeof record.eventTime === 'string' ? Date.parse(record.eventTime) : NaN;
  return Number.isNaN(t) ? fallback : new Date(t);
}

/** Start of the aggregation window an event falls in (windows aligned to the epoch). */
export function windowStartOf(at: Date, windowSeconds: number): Date {
  const ms = windowSeconds * 1000;
  return new Date(Math.floor(at.getTime() / ms) * ms);
}
