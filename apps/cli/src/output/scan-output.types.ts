import type { CloudTrailRecord, RecordPosition } from '@trailguard/cloudtrail';
import type { CorrelationAlert, RuleMatch } from '@trailguard/sigma';

export const OUTPUT_FORMATS = ['table', 'ndjson', 'ids', 'csv', 'json', 'ocsf'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** One reported rule match with the record it came from and where the record was read. */
export interface MatchContext {
  match: RuleMatch;
  record: CloudTrailRecord;
  source: string;
  position: RecordPosition;
}

/** A correlation alert with the record whose match completed it. */
export interface AlertContext {
  alert: CorrelationAlert;
  record: CloudTrailRecord;
}

export interface OutputOptions {
  /** ANSI severity colours (table only). */
  color: boolean;
  /** Columns the table may use. */
  width: number;
}

/** Turns matches and alerts into output lines; `footer` is called once at the end (buffered formats print there). */
export interface ScanOutput {
  header(): string[];
  match(context: MatchContext): string[];
  alert(context: AlertContext): string[];
  footer(): string[];
}
