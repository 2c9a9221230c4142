import type { Finding, FindingGroup, Prisma } from '@trailguard/db';
import { alertEventData, findingView, groupFindingAlerts, type AlertCandidate, type FindingView } from '@trailguard/detection';

const findingKey = (f: { ruleId: string; actor: string; windowStart: Date }) => `${f.ruleId}|${f.actor}|${f.windowStart.getTime()}`;

/**
 * The `finding.created` announcements of one detection pass, grouped per (event, actor): the
 * findings several rules raise from one event go out as one webhook message. Every event is
 * evaluated in exactly one pass (it is claimed once per tenant), so a pass sees whole groups.
 * Findings of rules that are not alerting are left out: they are stored, never sent.
 */
export class FindingAlerts {
  private readonly triggers = new Map<string, { eventId: string; at: number }>();
  private readonly candidates: Array<AlertCandidate<FindingView>> = [];

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
    const eventId = this.triggers.get(findingKey(finding))?.eventId ?? `finding:${finding.id}`;
    this.candidates.push({ finding: findingView(finding), eventId });
  }

  domainEvents(): Array<{ type: 'finding.created'; data: Prisma.InputJsonObject }> {
    return groupFindingAlerts(this.candidates).map((g) => ({
      type: 'finding.created' as const,
      data: alertEventData(g) as unknown as Prisma.InputJsonObject,
    }));
  }
}
