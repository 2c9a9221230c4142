import type { FindingView } from './finding-view';

/**
 * A finding rendered as an OCSF Detection Finding (class 2004, category 2 Findings, schema 1.4),
 * for SIEMs and data lakes that ingest OCSF (Security Lake among them). Pure: the API's view of
 * a finding, and its evidence records when there are some, in; the OCSF object out.
 */
export const OCSF_VERSION = '1.4.0';
const CLASS_UID = 2004;

const SEVERITY_ID: Record<string, number> = { informational: 1, low: 2, medium: 3, high: 4, critical: 5 };
/** Finding status_id: 1 New, 2 In Progress, 3 Suppressed, 4 Resolved, 99 Other. */
const STATUS: Record<string, { id: number; name: string }> = {
  open: { id: 1, name: 'New' },
  acknowledged: { id: 2, name: 'In Progress' },
  suppressed: { id: 3, name: 'Suppressed' },
  resolved: { id: 4, name: 'Resolved' },
  false_positive: { id: 4, name: 'Resolved' },
};
const ACTIVITY: Record<number, string> = { 1: 'Create', 2: 'Update', 3: 'Close' };

/** Enterprise ATT&CK tactic ids of Sigma's `attack.<tactic>` tags. */
const TACTIC_UID: Record<string, string> = {
  reconnaissance: 'TA0043',
  'resource-development': 'TA0042',
  'initial-access': 'TA0001',
  execution: 'TA0002',
  persistence: 'TA0003',
  'privilege-escalation': 'TA0004',
  'defense-evasion': 'TA0005',
  'credential-access': 'TA0006',
  discovery: 'TA0007',
  'lateral-movement': 'TA0008',
  collection: 'TA0009',
  'command-and-control': 'TA0011',
  exfiltration: 'TA0010',
  impact: 'TA0040',
};

export interface OcsfEvidenceInput {
  eventId: string;
  record: unknown;
}

type Obj = Record<string, unknown>;
const ms = (iso: string): number => Date.parse(iso);
const asObj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const titleCase = (slug: string): string =>
  slug
    .replace(/-/g, ' ')
    .replace(/\b\w/g, (c) => c.toUpperCase())
    .replace(/\bAnd\b/g, 'and');

/** `attack.t1562.008` -> technique T1562, sub-technique T1562.008; `attack.defense-evasion` -> a tactic. */
export function ocsfAttacks(tags: readonly string[]): Obj[] {
  const tactics: Obj[] = [];
  const techniques: string[] = [];
  for (const tag of tags) {
    const m = /^attack\.(.+)$/i.exec(tag);
    if (!m) continue;
    const value = m[1]!.toLowerCase();
    if (/^t\d{4}(\.\d{3})?$/.test(value)) techniques.push(value.toUpperCase());
    else if (/^[a-z-]+$/.test(value)) {
      const uid = TACTIC_UID[value];
      tactics.push({ name: titleCase(value), ...(uid ? { uid } : {}) });
    }
  }
  const tactic = tactics[0];
  if (techniques.length === 0) return tactics.map((t) => ({ tactic: t }));
  return techniques.map((uid) => {
    const [parent] = uid.split('.');
    return {
      technique: { uid: parent },
      ...(uid.includes('.') ? { sub_technique: { uid } } : {}),
      ...(tactic ? { tactic } : {}),
      ...(tactics.length > 1 ? { tactics } : {}),
    };
  });
}

function evidenceOf(e: OcsfEvidenceInput): Obj {
  const r = asObj(e.record);
  const identity = asObj(r['userIdentity']);
  const arn = str(identity['arn']);
  return {
    api: {
      operation: str(r['eventName']),
      service: { name: str(r['eventSource']) },
      request: { uid: str(r['requestID']) },
    },
    ...(arn ? { actor: { user: { uid: arn, type: str(identity['type']) } } } : {}),
    ...(str(r['sourceIPAddress']) ? { src_endpoint: { ip: str(r['sourceIPAddress']) } } : {}),
    data: { event_uid: e.eventId, record: e.record },
  };
}

export function ocsfDetectionFinding(f: FindingView, evidence?: readonly OcsfEvidenceInput[]): Obj {
  const status = STATUS[f.status] ?? { id: 99, name: f.status };
  // Close once triaged away; Update once events were aggregated or an analyst took it up; else Create.
  const closed = f.status === 'resolved' || f.status === 'false_positive';
  const activityId = closed ? 3 : f.eventCount > 1 || f.status === 'acknowledged' ? 2 : 1;
  const first = asObj(evidence?.[0]?.record);
  const awsAccountId = str(first['recipientAccountId']) ?? str(asObj(first['userIdentity'])['accountId']);
  const attacks = ocsfAttacks(f.tags);
  return {
    class_uid: CLASS_UID,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: activityId,
    activity_name: ACTIVITY[activityId],
    type_uid: CLASS_UID * 100 + activityId,
    time: ms(f.updatedAt),
    start_time: ms(f.firstSeenAt),
    end_time: ms(f.lastSeenAt),
    count: f.eventCount,
    severity_id: SEVERITY_ID[f.severity] ?? 0,
    severity: titleCase(f.severity),
    status_id: status.id,
    status: status.name,
    ...(f.status === 'false_positive' ? { status_detail: 'false_positive' } : {}),
    is_alert: f.status !== 'suppressed',
    message: f.ruleTitle,
    metadata: { version: OCSF_VERSION, uid: f.id, product: { name: 'Trailguard', vendor_name: 'Trailguard' } },
    finding_info: {
      uid: f.id,
      title: f.ruleTitle,
      types: [f.kind],
      created_time: ms(f.createdAt),
      modified_time: ms(f.updatedAt),
      first_seen_time: ms(f.firstSeenAt),
      last_seen_time: ms(f.lastSeenAt),
      analytic: { uid: f.ruleId, name: f.ruleTitle, type_id: 1, type: 'Rule' },
      ...(attacks.length > 0 ? { attacks } : {}),
    },
    cloud: {
      provider: 'AWS',
      ...(f.region ? { region: f.region } : {}),
      ...(awsAccountId ? { account: { uid: awsAccountId, type: 'AWS Account' } } : {}),
    },
    ...(f.actor ? { actor: { user: { uid: f.actor } } } : {}),
    ...(f.sourceIp ? { src_endpoint: { ip: f.sourceIp } } : {}),
    ...(evidence ? { evidences: evidence.map(evidenceOf) } : {}),
    unmapped: {
      trailguard_account_id: f.accountId,
      trailguard_status: f.status,
      assignee: f.assignee,
      allowlist_entry_id: f.allowlistEntryId,
      related_finding_id: f.relatedFindingId,
      user_agent: f.userAgent,
      tags: f.tags,
    },
  };
}
