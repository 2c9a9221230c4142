import type { ApiClient } from './api-client';
import type { StoryLog } from './story';

export interface FindingView {
  id: string;
  kind: 'detection' | 'correlation' | 'posture';
  ruleId: string;
  ruleTitle: string;
  severity: string;
  status: string;
  actor: string;
  region: string | null;
  eventCount: number;
  allowlistEntryId: string | null;
  relatedFindingId: string | null;
  createdAt: string;
}

export interface HealthView {
  region: string;
  source: string;
  lastSuccessAt: string | null;
  lagSeconds: number | null;
  lastError: string | null;
  eventsIngested: number;
}

export interface AccountView {
  id: string;
  status: string;
  posture: { hasLoggingMultiRegionTrail?: boolean; trails?: unknown[] } | null;
  postureAt: string | null;
  health: HealthView[];
}

/**
 * Looks at Trailguard through the API while the story waits, and reports what is new: ingestion
 * counters, findings, posture. Only the first sight of each thing is logged.
 */
export class StoryWatcher {
  findings: FindingView[] = [];
  account: AccountView | null = null;
  private readonly seenFindings = new Set<string>();
  private readonly ingested = new Map<string, number>();
  private lastPosture: boolean | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly accountId: string,
    private readonly log: StoryLog,
  ) {}

  async refresh(): Promise<void> {
    const [findings, account] = await Promise.all([
      this.api.get<{ data: FindingView[] }>(`/v1/findings?accountId=${this.accountId}&limit=200`),
      this.api.get<AccountView>(`/v1/aws-accounts/${this.accountId}`),
    ]);
    this.account = account;
    for (const h of account.health) {
      const k = `${h.source} ${h.region}`;
      if ((this.ingested.get(k) ?? 0) !== h.eventsIngested) {
        this.ingested.set(k, h.eventsIngested);
        this.log(
          'ingest',
          `${h.source} ${h.region}: ${h.eventsIngested} event(s) ingested${h.lastError ? `, last error: ${h.lastError}` : ''} (GET /v1/aws-accounts/:id health)`,
        );
      }
    }
    const posture = account.posture?.hasLoggingMultiRegionTrail;
    if (typeof posture === 'boolean' && posture !== this.lastPosture) {
      this.log(
        'posture',
        `trail posture: ${posture ? 'a multi-region trail is logging' : 'NO multi-region trail is logging'} (checked ${account.postureAt})`,
      );
      this.lastPosture = posture;
    }
    // Oldest first, so the timeline reads in the order Trailguard raised them.
    this.findings = [...findings.data].reverse();
    for (const f of this.findings) {
      if (this.seenFindings.has(f.id)) continue;
      this.seenFindings.add(f.id);
      const linked = f.relatedFindingId
        ? `, caused by finding ${f.relatedFindingId.slice(0, 8)} (${this.findings.find((x) => x.id === f.relatedFindingId)?.ruleTitle ?? '?'})`
        : '';
      this.log(
        'finding',
        `${f.severity.toUpperCase().padEnd(6)} ${f.status.padEnd(10)} "${f.ruleTitle}" by ${f.actor}${f.region ? ` in ${f.region}` : ''}, ${f.eventCount} event(s)${linked} [${f.id.slice(0, 8)}]`,
      );
    }
  }

  /** A probe: true once a posture check finished after `since`. */
  postureCheckedAfter(since: Date): () => boolean {
    return () => !!this.account?.postureAt && new Date(this.account.postureAt) > since;
  }

  describe(): string {
    const f = this.findings.map((x) => `${x.ruleTitle}/${x.status}`).join('; ') || 'no findings';
    const h =
      this.account?.health.map((x) => `${x.source} ${x.region}=${x.eventsIngested}${x.lastError ? ` (${x.lastError})` : ''}`).join(', ') ??
      '';
    return `${f}; ingested: ${h || 'nothing'}; posture: ${JSON.stringify(this.account?.posture?.hasLoggingMultiRegionTrail ?? null)}`;
  }
}
