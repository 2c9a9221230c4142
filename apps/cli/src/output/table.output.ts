import { formatPosition } from '@trailguard/cloudtrail';
import type { CorrelationAlert } from '@trailguard/sigma';
import { matchObject } from './match-fields';
import type { MatchContext, ScanOutput } from './scan-output.types';

interface Column {
  title: string;
  width: number;
}

// Output is streamed, so widths are fixed up front rather than measured over all rows.
const COLUMNS: readonly Column[] = [
  { title: 'LEVEL', width: 13 },
  { title: 'RULE', width: 44 },
  { title: 'EVENT ID', width: 36 },
  { title: 'EVENT NAME', width: 26 },
  { title: 'TIME', width: 20 },
  { title: 'REGION', width: 14 },
  { title: 'ACTOR', width: 60 },
  { title: 'SOURCE', width: 0 },
];

const fit = (text: string, width: number): string => {
  if (width === 0) return text;
  if (text.length > width) return `${text.slice(0, width - 1)}…`;
  return text.padEnd(width);
};

const row = (cells: readonly string[]): string =>
  COLUMNS.map((column, i) => fit(cells[i] ?? '', column.width))
    .join('  ')
    .trimEnd();

export class TableOutput implements ScanOutput {
  header(): string[] {
    return [row(COLUMNS.map((c) => c.title)), row(COLUMNS.map((c) => '-'.repeat(c.width || c.title.length)))];
  }

  match(context: MatchContext): string[] {
    const fields = matchObject(context);
    const text = (key: string): string => (typeof fields[key] === 'string' ? (fields[key] as string) : '-');
    return [
      row([
        text('level'),
        text('ruleTitle'),
        text('eventId'),
        text('eventName'),
        text('eventTime'),
        text('awsRegion'),
        text('actor'),
        formatPosition(context.source, context.position),
      ]),
    ];
  }

  alert(alert: CorrelationAlert): string[] {
    const group = Object.entries(alert.group)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    return [
      row([alert.level, alert.ruleTitle, `${alert.type} (${alert.eventIds.length} events)`, '', '', '', group, alert.eventIds.join(',')]),
    ];
  }
}
