import type { Finding, FindingGroup, Prisma } from '@trailguard/db';
import {
  ALERT_GROUP_FIELD,
  alertEventData,
  findingView,
  groupFindingAlerts,
  type AlertCandidate,
  type FindingView,
} from '@trailguard/detection';

const findingKey = (f: { ruleId: string; actor: string; windowStart: Date }) => `${f.ruleId}|${f.actor}|${f.windowStart.getTime()}`;

/**
 * The `finding.created` (and `events_added` `finding.updated`) announcements of one detection
 * pass, grouped per (event, actor): the findings several rules raise (or grow) from one event go
 * out as one webhook message. Every event is evaluated in exactly one pass (it is claimed once
 * per tenant), so a pass sees whole groups.
 * Findings of rules that are not alerting are left out: they are stored, never sent.
 */
export class FindingAlerts {
  private readonly triggers = new Map<string, { eventId: string; at: number }>();
  private readonly candidates: Array<AlertCandidate<FindingView>> = [];
  private readonly updates: Array<AlertCandidate<FindingView>> = [];
  private readonly added = new Map<string, number>();

  constructor(
    groups: readonly FindingGroup[],
    private readonly isAlerting: (ruleId: string) => boolean,
  ) {
    // The event that raised a finding: the earliest of its group (the first of equals).
    for (const g of groups) {
      const key = findingKey(g);
      for (const e of g.events) {
        const seen = this.triggers.get(key);
        if (!seen || e.eventTime.getTime() < seen.at) this.triggers.set(key, { eventId: e.eventId, at: e.eventTime.getTime() });
      }
    }
  }

  /** Whether changes to this finding are announced at all. */
  alerting(finding: Finding): boolean {
    return this.isAlerting(finding.ruleId);
  }

  /** A created (or no longer suppressed) finding to announce. */
  add(finding: Finding): void {
    if (!this.alerting(finding)) return;
    this.candidates.push({ finding: findingView(finding), eventId: this.eventOf(finding) });
  }

  /** More events on an announced finding: grouped the same way, so one repeat is one message. */
  addEventsAdded(finding: Finding, added: number): void {
    if (!this.alerting(finding)) return;
    this.added.set(finding.id, added);
    this.updates.push({ finding: findingView(finding), eventId: this.eventOf(finding) });
  }

  domainEvents(): Array<{ type: 'finding.created' | 'finding.updated'; data: Prisma.InputJsonObject }> {
    const created = groupFindingAlerts(this.candidates).map((g) => ({
      type: 'finding.created' as const,
      data: alertEventData(g) as unknown as Prisma.InputJsonObject,
    }));
    // finding.updated keeps its shape ({reason, added, finding}: the primary) and names the group.
    const updated = groupFindingAlerts(this.updates).map((g) => ({
      type: 'finding.updated' as const,
      data: {
        reason: 'events_added',
        added: this.added.get(g.findings[0]!.id) ?? 0,
        finding: g.findings[0]!,
        [ALERT_GROUP_FIELD]: g,
      } as unknown as Prisma.InputJsonObject,
    }));
    return [...created, ...updated];
  }

  private eventOf(finding: Finding): string {
    return this.triggers.get(findingKey(finding))?.eventId ?? `finding:${finding.id}`;
  }
}
