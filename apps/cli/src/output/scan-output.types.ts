import type { CloudTrailRecord, RecordPosition } from '@trailguard/cloudtrail';
import type { CorrelationAlert, RuleMatch } from '@trailguard/sigma';

export const OUTPUT_FORMATS = ['table', 'ndjson', 'ids'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** One reported rule match with the record it came from and where the record was read. */
export interface MatchContext {
  match: RuleMatch;
  record: CloudTrailRecord;
  source: string;
  position: RecordPosition;
}

/** Turns matches and alerts into output lines. */
export interface ScanOutput {
  header(): string[];
  match(context: MatchContext): string[];
  alert(alert: CorrelationAlert): string[];
}
