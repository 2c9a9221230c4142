import type { AlertContext, MatchContext, ScanOutput } from './scan-output.types';
import { matchObject } from './match-fields';

const COLUMNS = [
  'kind',
  'level',
  'ruleId',
  'ruleTitle',
  'eventId',
  'eventTime',
  'eventName',
  'eventSource',
  'awsRegion',
  'recipientAccountId',
  'actor',
  'source',
  'line',
  'pointer',
  'correlationType',
  'group',
  'eventIds',
] as const;

/**
 * RFC 4180 fields. A cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets
 * a leading apostrophe: CloudTrail fields are partly chosen by whoever made the call.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const row = (values: Partial<Record<(typeof COLUMNS)[number], unknown>>): string => COLUMNS.map((c) => csvField(values[c])).join(',');

/** One header line, then a row per rule match (`kind` match) and per correlation alert (`kind` alert). */
export class CsvOutput implements ScanOutput {
  header(): string[] {
    return [COLUMNS.join(',')];
  }

  match(context: MatchContext): string[] {
    return [row({ kind: 'match', ...matchObject(context) })];
  }

  alert({ alert }: AlertContext): string[] {
    return [
      row({
        kind: 'alert',
        level: alert.level,
        ruleId: alert.ruleId,
        ruleTitle: alert.ruleTitle,
        correlationType: alert.type,
        group: alert.group,
        eventIds: alert.eventIds.join(' '),
      }),
    ];
  }

  footer(): string[] {
    return [];
  }
}
