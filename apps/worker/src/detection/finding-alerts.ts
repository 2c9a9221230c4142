import type { Finding, FindingChange, FindingGroup, GroupOutcome, Prisma } from '@trailguard/db';
import {
  ALERT_GROUP_FIELD,
  alertEventData,
  findingView,
  groupFindingAlerts,
  type AlertCandidate,
  type FindingView,
} from '@trailguard/detection';

const findingKey = (f: { ruleId: string; actor: string; windowStart: Date }) => `${f.ruleId}|${f.actor}|${f.windowStart.getTime()}`;

type Announcement = NonNullable<FindingChange['event']>;

/**
 * The `finding.created` (and `events_added` `finding.updated`) announcements of one detection
 * pass, grouped per (event, actor): the findings several rules raise (or grow) from one event go
 * out as one webhook message. Every event is evaluated in exactly one pass (it is claimed once
 * per tenant), so a pass sees whole groups. Findings of rules that are not alerting are left
 * out: they are stored, never sent.
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

  /** Each group's message, by the id of its primary finding. */
  messages(): Map<string, Announcement> {
    const out = new Map<string, Announcement>();
    for (const g of groupFindingAlerts(this.candidates)) {
      out.set(g.findings[0]!.id, { type: 'finding.created', data: alertEventData(g) as unknown as Prisma.InputJsonObject });
    }
    // finding.updated keeps its shape ({reason, added, finding}: the primary) and names the group.
    for (const g of groupFindingAlerts(this.updates)) {
      const primary = g.findings[0]!;
      const data = { reason: 'events_added', added: this.added.get(primary.id) ?? 0, finding: primary, [ALERT_GROUP_FIELD]: g };
      out.set(primary.id, { type: 'finding.updated', data: data as unknown as Prisma.InputJsonObject });
    }
    return out;
  }

  /**
   * The fold's changes with their announcements grouped: each group's one message rides on its
   * primary finding's change; the other findings keep their activity entries and lose their own
   * message. Changes of quiet rules lose theirs too.
   */
  regroup(outcomes: readonly GroupOutcome[], changes: readonly FindingChange[]): FindingChange[] {
    const byId = new Map(outcomes.map((o) => [o.finding.id, o]));
    const grouped = (c: FindingChange) => {
      const o = byId.get(c.findingId);
      if (!o || !c.event) return undefined;
      if (c.event.type === 'finding.created') return () => this.add(o.finding);
      if (c.event.type === 'finding.updated' && o.kind === 'events_added') return () => this.addEventsAdded(o.finding, o.added);
      return undefined;
    };
    for (const c of changes) grouped(c)?.();
    const messages = this.messages();
    return changes.map((c) => {
      if (!grouped(c)) return c;
      const { event: _own, ...rest } = c;
      const message = messages.get(c.findingId);
      return message ? { ...rest, event: message } : rest;
    });
  }

  private eventOf(finding: Finding): string {
    return this.triggers.get(findingKey(finding))?.eventId ?? `finding:${finding.id}`;
  }
}
