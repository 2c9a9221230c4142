import type { WebhookEventType } from './webhook-payload';

type Data = Record<string, unknown>;

export const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined;
export const obj = (v: unknown): Data => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Data) : {});

/** One finding named by an alert (the group's `alertGroup.findings`). */
export interface NamedFinding {
  id: string;
  title: string;
  severity: string;
}

/**
 * What any chat or paging format says about a domain event, read from the data Trailguard's own
 * payload carries: one reading for every format, so they cannot disagree.
 */
export interface AlertDescription {
  type: WebhookEventType;
  label: string;
  title: string;
  severity?: string;
  summary: string;
  /** Label -> value, only those that have a value. */
  fields: Record<string, string>;
  /** Every finding the alert names, the primary first (one entry for a lone finding). */
  findings: NamedFinding[];
  /** The finding this message is about (the primary of a group), if any: its incident key. */
  findingId?: string;
  /** The finding's status after this event, if it is about a finding. */
  status?: string;
  accountId?: string;
  /** For account and posture events: the state is good again (an incident can be resolved). */
  healthy?: boolean;
}

export const EVENT_LABEL: Record<WebhookEventType, string> = {
  'finding.created': 'New finding',
  'finding.updated': 'Finding updated',
  'account.status_changed': 'Account status changed',
  'posture.changed': 'Trail posture changed',
};

/** Only the fields that have a value, in the order given. */
export function present(entries: Array<[string, unknown]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    const t = text(v);
    if (t !== undefined) out[k] = t;
  }
  return out;
}

export function findingFields(f: Data): Record<string, string> {
  return present([
    ['Actor', f['actor']],
    ['Region', f['region']],
    ['Source IP', f['sourceIp']],
    ['Events', f['eventCount']],
    ['Status', f['status']],
    ['Finding', f['id']],
  ]);
}

/** The findings an alert names: its `alertGroup` (issue 14), else the finding alone. */
export function namedFindings(f: Data): NamedFinding[] {
  const group = obj(f['alertGroup'])['findings'];
  const list = Array.isArray(group) && group.length > 0 ? group.map(obj) : [f];
  return list.map((g) => ({ id: text(g['id']) ?? '?', title: text(g['ruleTitle']) ?? 'finding', severity: text(g['severity']) ?? '?' }));
}

export function describeEvent(type: WebhookEventType, data: Data): AlertDescription {
  const label = EVENT_LABEL[type];
  switch (type) {
    case 'finding.created':
    case 'finding.updated': {
      const f = type === 'finding.created' ? data : obj(data['finding']);
      const summary =
        type === 'finding.created'
          ? `${text(f['eventCount']) ?? '1'} event(s) by ${text(f['actor']) ?? 'an unknown actor'}`
          : data['reason'] === 'status_changed'
            ? `status ${text(data['from']) ?? '?'} → ${text(data['to']) ?? '?'}`
            : `${text(data['added']) ?? 'more'} more event(s), ${text(f['eventCount']) ?? '?'} in all`;
      return {
        type,
        label,
        title: text(f['ruleTitle']) ?? 'finding',
        ...(text(f['severity']) ? { severity: text(f['severity']) } : {}),
        summary,
        fields: findingFields(f),
        // A status change is about one finding; created and events_added messages name their group.
        findings: type === 'finding.created' ? namedFindings(f) : namedFindings({ ...f, alertGroup: data['alertGroup'] }),
        ...(text(f['id']) ? { findingId: text(f['id']) } : {}),
        ...(text(f['status']) ? { status: text(f['status']) } : {}),
        ...(text(f['accountId']) ? { accountId: text(f['accountId']) } : {}),
      };
    }
    case 'account.status_changed':
      return {
        type,
        label,
        title: text(data['name']) ?? text(data['accountId']) ?? 'AWS account',
        summary: `${text(data['previousStatus']) ?? '?'} → ${text(data['status']) ?? '?'}${text(data['reason']) ? `: ${text(data['reason'])}` : ''}`,
        fields: present([['Account', data['accountId']]]),
        findings: [],
        ...(text(data['accountId']) ? { accountId: text(data['accountId']) } : {}),
        healthy: data['status'] !== 'error',
      };
    case 'posture.changed': {
      const healthy = obj(data['posture'])['hasLoggingMultiRegionTrail'] === true;
      return {
        type,
        label,
        title: `AWS account ${text(data['awsAccountId']) ?? text(data['accountId']) ?? '?'}`,
        severity: 'high',
        summary: healthy ? 'A multi-region CloudTrail trail is logging again' : 'No multi-region CloudTrail trail is logging',
        fields: present([['Finding', data['findingId']]]),
        findings: [],
        ...(text(data['findingId']) ? { findingId: text(data['findingId']) } : {}),
        ...(text(data['accountId']) ? { accountId: text(data['accountId']) } : {}),
        healthy,
      };
    }
  }
}
