import { formatPosition } from '@trailguard/cloudtrail';
import { colorLevel } from './colors';
import { matchObject } from './match-fields';
import type { AlertContext, MatchContext, OutputOptions, ScanOutput } from './scan-output.types';

interface Column {
  title: string;
  /** Narrowest the column gets when the terminal is narrow (0: never shrunk). */
  min: number;
  /** Widest it grows, whatever its cells. */
  max: number;
}

const COLUMNS: readonly Column[] = [
  { title: 'LEVEL', min: 0, max: 13 },
  { title: 'RULE', min: 16, max: 60 },
  { title: 'EVENT ID', min: 0, max: 36 },
  { title: 'EVENT NAME', min: 12, max: 40 },
  { title: 'TIME', min: 0, max: 20 },
  { title: 'REGION', min: 9, max: 14 },
  { title: 'ACTOR', min: 16, max: 90 },
  { title: 'SOURCE', min: 10, max: 200 },
];
const GAP = '  ';
/** Shrunk first when the terminal is narrow: the widest of these gives way. */
const SHRINKABLE = [1, 3, 5, 6, 7];

interface Row {
  time: string;
  seq: number;
  level: string;
  cells: string[];
}

const fit = (text: string, width: number): string => {
  if (text.length > width) return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
  return text.padEnd(width);
};

/**
 * Rows for people: buffered, sorted by event time (stable: file order within a second), columns
 * sized to their contents and shrunk to the terminal's width, levels in colour on a terminal.
 */
export class TableOutput implements ScanOutput {
  private readonly rows: Row[] = [];

  constructor(private readonly options: OutputOptions) {}

  header(): string[] {
    return [];
  }

  match(context: MatchContext): string[] {
    const fields = matchObject(context);
    const text = (key: string): string => (typeof fields[key] === 'string' ? (fields[key] as string) : '-');
    this.rows.push({
      time: text('eventTime'),
      seq: this.rows.length,
      level: context.match.level,
      cells: [
        text('level'),
        text('ruleTitle'),
        text('eventId'),
        text('eventName'),
        text('eventTime'),
        text('awsRegion'),
        text('actor'),
        formatPosition(context.source, context.position),
      ],
    });
    return [];
  }

  alert({ alert, record }: AlertContext): string[] {
    const group = Object.entries(alert.group)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    const time = typeof record.eventTime === 'string' ? record.eventTime : '-';
    this.rows.push({
      time,
      seq: this.rows.length,
      level: alert.level,
      cells: [
        alert.level,
        alert.ruleTitle,
        `${alert.type} (${alert.eventIds.length} events)`,
        '',
        time,
        '',
        group,
        alert.eventIds.join(','),
      ],
    });
    return [];
  }

  footer(): string[] {
    const rows = [...this.rows].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.seq - b.seq));
    const widths = this.widths(rows);
    const render = (cells: readonly string[], level?: string): string => {
      const out = COLUMNS.map((_, i) => {
        const last = i === COLUMNS.length - 1;
        const cell = last ? fitLast(cells[i] ?? '', widths[i]!) : fit(cells[i] ?? '', widths[i]!);
        return i === 0 && level !== undefined ? colorLevel(level, cell, this.options.color) : cell;
      });
      return out.join(GAP).trimEnd();
    };
    return [render(COLUMNS.map((c) => c.title)), render(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => render(r.cells, r.level))];
  }

  /** Each column as wide as its widest cell (within its max), then the widest shrinkable ones give way. */
  private widths(rows: readonly Row[]): number[] {
    const widths = COLUMNS.map((c, i) => Math.min(c.max, Math.max(c.title.length, ...rows.map((r) => (r.cells[i] ?? '').length))));
    const total = (): number => widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
    while (total() > this.options.width) {
      let widest = -1;
      for (const i of SHRINKABLE) if (widths[i]! > COLUMNS[i]!.min && (widest === -1 || widths[i]! > widths[widest]!)) widest = i;
      if (widest === -1) break;
      widths[widest]! -= 1;
    }
    return widths;
  }
}

/** The last column is not padded; it is cut only when it must be. */
const fitLast = (text: string, width: number): string => (text.length > width ? fit(text, width) : text);
