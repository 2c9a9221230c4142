import { SEVERITY_RANK, type Severity } from './finding-key';

/** The field of a `finding.created` event's data that names every finding of its alert group. */
export const ALERT_GROUP_FIELD = 'alertGroup';

/** What a finding alert needs of a finding (a FindingView has all of it). */
export interface FindingAlert {
  id: string;
  ruleId: string;
  ruleTitle: string;
  severity: Severity;
  actor: string;
}

export interface AlertCandidate<F extends FindingAlert = FindingAlert> {
  finding: F;
  /** The event that raised the finding (its earliest in this batch): the group's first half. */
  eventId: string;
}

export interface AlertGroup<F extends FindingAlert = FindingAlert> {
  /** `<eventId>|<actor>`: one alert per event and actor. */
  key: string;
  eventId: string;
  actor: string;
  /** The highest severity of the group: the primary's. */
  severity: Severity;
  /** Every finding of the group, highest severity first; the first is the primary. */
  findings: F[];
}

const bySeverity = (a: FindingAlert, b: FindingAlert) =>
  SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.ruleTitle.localeCompare(b.ruleTitle) || a.id.localeCompare(b.id);

/**
 * Findings raised by the same event for the same actor become one alert: one webhook message
 * (and one page) whose data is the primary, highest-severity finding, as a single finding's
 * message always was, plus `alertGroup` naming every finding of the group. The findings keep
 * their own identities; only the announcement is shared. Groups come out in input order.
 */
export function groupFindingAlerts<F extends FindingAlert>(candidates: ReadonlyArray<AlertCandidate<F>>): Array<AlertGroup<F>> {
  const groups = new Map<string, AlertGroup<F>>();
  for (const { finding, eventId } of candidates) {
    const key = `${eventId}|${finding.actor}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, eventId, actor: finding.actor, severity: finding.severity, findings: [] }));
    if (!g.findings.some((f) => f.id === finding.id)) g.findings.push(finding);
  }
  for (const g of groups.values()) {
    g.findings.sort(bySeverity);
    g.severity = g.findings[0]!.severity;
  }
  return [...groups.values()];
}

/** The `finding.created` data of a group: the primary finding, plus the group under ALERT_GROUP_FIELD. */
export function alertEventData<F extends FindingAlert>(group: AlertGroup<F>): F & { [ALERT_GROUP_FIELD]: AlertGroup<F> } {
  return { ...group.findings[0]!, [ALERT_GROUP_FIELD]: group };
}
