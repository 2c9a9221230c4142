import { LookupEventsCommand, type Event as TrailEvent, type LookupEventsCommandOutput } from '@aws-sdk/client-cloudtrail';
import { recordTooDeep, type CloudTrailRecord } from '@trailguard/cloudtrail';
import type { CustomerAwsClients } from '../clients/customer-aws-clients';
import { withCredentialRetry } from '../clients/with-credential-retry';
import type { AssumeRoleTarget } from '../credentials/assumed-credentials-cache';

export interface PollTarget extends AssumeRoleTarget {
  region: string;
}

export interface LookupEventsPagerOptions {
  /** Re-read this far before the checkpoint to catch events AWS delivers late. Default 5 minutes. */
  overlapMs?: number;
  /** Without a checkpoint, start this far back. Default 15 minutes. */
  initialLookbackMs?: number;
  now?: () => number;
}

export interface LookupEventsPage {
  records: CloudTrailRecord[];
  /** Latest eventTime on this page, or null for an empty page. */
  maxEventTime: Date | null;
  /** Events whose CloudTrailEvent was not valid JSON or nested too deep (kept as the summary fields AWS returned). */
  unparsable: number;
}

export interface LookupEventsRun {
  records: CloudTrailRecord[];
  /** Advance the stored checkpoint to this only after the records are safely queued. */
  checkpoint: Date | null;
  pages: number;
  unparsable: number;
}

const FIVE_MINUTES = 5 * 60 * 1000;

function toRecord(event: TrailEvent, region: string): { record: CloudTrailRecord; parsed: boolean } {
  if (event.CloudTrailEvent) {
    try {
      const parsed = JSON.parse(event.CloudTrailEvent) as unknown;
      // A record too deep to store again would fail its batch on every retry: summary fields instead.
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && !recordTooDeep(parsed))
        return { record: parsed as CloudTrailRecord, parsed: true };
    } catch {
      // fall back to the summary fields below
    }
  }
  return {
    parsed: false,
    record: {
      eventID: event.EventId,
      eventName: event.EventName,
      eventSource: event.EventSource,
      eventTime: event.EventTime?.toISOString(),
      awsRegion: region,
      ...(event.Username ? { userIdentity: { userName: event.Username } } : {}),
    },
  };
}

/**
 * LookupEvents of one account-region from a checkpoint: all pages, newest first as AWS serves
 * them. Throttling is retried by the SDK (and paced by the clients' gate); what survives the
 * retries becomes AwsIngestError('throttled'), AccessDenied 'access_denied'.
 */
export class LookupEventsPager {
  private readonly overlapMs: number;
  private readonly initialLookbackMs: number;
  private readonly now: () => number;

  constructor(
    private readonly clients: CustomerAwsClients,
    options: LookupEventsPagerOptions = {},
  ) {
    this.overlapMs = options.overlapMs ?? FIVE_MINUTES;
    this.initialLookbackMs = options.initialLookbackMs ?? 3 * FIVE_MINUTES;
    this.now = options.now ?? Date.now;
  }

  /** One page at a time, so a caller can queue each page as a batch. */
  async *pages(target: PollTarget, checkpoint: Date | null, endTime?: Date): AsyncGenerator<LookupEventsPage> {
    const end = endTime ?? new Date(this.now());
    const start = new Date(checkpoint ? checkpoint.getTime() - this.overlapMs : end.getTime() - this.initialLookbackMs);
    let nextToken: string | undefined;
    do {
      const out = await this.fetchPage(target, start, end, nextToken);
      let maxEventTime: Date | null = null;
      let unparsable = 0;
      const records: CloudTrailRecord[] = [];
      for (const event of out.Events ?? []) {
        const { record, parsed } = toRecord(event, target.region);
        if (!parsed) unparsable++;
        records.push(record);
        if (event.EventTime && (!maxEventTime || event.EventTime > maxEventTime)) maxEventTime = event.EventTime;
      }
      yield { records, maxEventTime, unparsable };
      nextToken = out.NextToken;
    } while (nextToken);
  }

  /** Every page since the checkpoint (minus the overlap), and the checkpoint to store afterwards. */
  async fetchSince(target: PollTarget, checkpoint: Date | null, endTime?: Date): Promise<LookupEventsRun> {
    const run: LookupEventsRun = { records: [], checkpoint, pages: 0, unparsable: 0 };
    for await (const page of this.pages(target, checkpoint, endTime)) {
      run.pages++;
      run.unparsable += page.unparsable;
      run.records.push(...page.records);
      if (page.maxEventTime && (!run.checkpoint || page.maxEventTime > run.checkpoint)) run.checkpoint = page.maxEventTime;
    }
    return run;
  }

  private async fetchPage(target: PollTarget, start: Date, end: Date, nextToken: string | undefined): Promise<LookupEventsCommandOutput> {
    const command = new LookupEventsCommand({ StartTime: start, EndTime: end, MaxResults: 50, NextToken: nextToken });
    // The client is looked up on each try: a credential refresh replaces it.
    return withCredentialRetry(this.clients, target, 'cloudtrail:LookupEvents', () =>
      this.clients.cloudTrail(target, target.region).send(command),
    );
  }
}
