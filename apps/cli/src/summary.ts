import { formatPosition } from '@trailguard/cloudtrail';
import type { RuleInfo } from '@trailguard/sigma';
import { colorLevel } from './output/colors';
import { levelRank } from './output/levels';
import type { ScanResult } from './scan.service';

const MALFORMED_SHOWN = 20;

/** Counts with thousands separators, whatever the locale. */
export const n = (value: number): string => value.toLocaleString('en-US');

export interface SummaryContext {
  inputs: number;
  rules: readonly RuleInfo[];
  filters: number;
  color: boolean;
}

/** The human summary written to stderr after a scan. */
export function renderSummary(result: ScanResult, context: SummaryContext): string {
  const seconds = result.durationMs / 1000;
  const rate = seconds > 0 ? Math.round(result.events / seconds) : result.events;
  const correlations = context.rules.filter((r) => r.kind === 'correlation').length;
  const lines: string[] = [];
  lines.push(
    `Rules loaded: ${n(context.rules.length - correlations)} detection, ${n(correlations)} correlation, ${n(context.filters)} filter(s)`,
  );
  const prefiltered = result.prefiltered > 0 ? ` (${n(result.prefiltered)} decided from the raw line: no rule can match them)` : '';
  lines.push(
    `Scanned ${n(result.events)} events from ${n(context.inputs)} input path(s) in ${seconds.toFixed(2)} s (${n(rate)} events/s)${prefiltered}`,
  );
  if (result.firstEventTime !== undefined) lines.push(`Time range: ${result.firstEventTime} .. ${result.lastEventTime}`);
  const tallies = [...result.tallies.values()].sort(
    (a, b) => levelRank(b.level) - levelRank(a.level) || b.matches - a.matches || a.ruleTitle.localeCompare(b.ruleTitle),
  );
  const reported = tallies.reduce((sum, t) => sum + t.reported, 0);
  lines.push(`Matches: ${n(reported)} reported across ${n(tallies.filter((t) => t.reported > 0).length)} rule(s)`);
  for (const t of tallies) {
    const silent = t.reported < t.matches ? `  (${n(t.matches - t.reported)} not reported: correlation input or below --min-level)` : '';
    const level = colorLevel(t.level, t.level.padEnd(13), context.color);
    lines.push(`  ${n(t.reported).padStart(9)}  ${level} ${t.ruleTitle} [${t.ruleId}]${silent}`);
  }
  if (result.alerts > 0) lines.push(`Correlation alerts: ${n(result.alerts)}`);
  if (result.matchesWithoutId > 0) lines.push(`Matched records without an eventID: ${n(result.matchesWithoutId)}`);
  lines.push(`Malformed records skipped: ${n(result.malformedCount)}`);
  for (const m of result.malformed.slice(0, MALFORMED_SHOWN)) {
    lines.push(`  ${formatPosition(m.source, m)}: ${m.code}: ${m.message}`);
  }
  if (result.malformedCount > MALFORMED_SHOWN) lines.push(`  ... and ${n(result.malformedCount - MALFORMED_SHOWN)} more`);
  if (result.readErrors.length > 0) {
    lines.push(`Unreadable inputs: ${n(result.readErrors.length)}`);
    for (const e of result.readErrors) lines.push(`  ${e.message} [${e.code}]`);
  }
  return lines.join('\n') + '\n';
}
