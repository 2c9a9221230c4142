import { formatPosition } from '@trailguard/cloudtrail';
import type { ScanResult } from './scan.service';

const LEVEL_ORDER = ['critical', 'high', 'medium', 'low', 'informational'];
const MALFORMED_SHOWN = 20;

const n = (value: number): string => value.toLocaleString('en-US');

/** The human summary written to stderr after a scan. */
export function renderSummary(result: ScanResult, inputs: number): string {
  const seconds = result.durationMs / 1000;
  const rate = seconds > 0 ? Math.round(result.events / seconds) : result.events;
  const lines: string[] = [];
  lines.push(`Scanned ${n(result.events)} events from ${n(inputs)} input path(s) in ${seconds.toFixed(2)} s (${n(rate)} events/s)`);
  const tallies = [...result.tallies.values()].sort(
    (a, b) =>
      LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level) || b.matches - a.matches || a.ruleTitle.localeCompare(b.ruleTitle),
  );
  const reported = tallies.reduce((sum, t) => sum + t.reported, 0);
  lines.push(`Matches: ${n(reported)} reported across ${n(tallies.filter((t) => t.reported > 0).length)} rule(s)`);
  for (const t of tallies) {
    const silent = t.reported < t.matches ? `  (${n(t.matches - t.reported)} kept for correlations only)` : '';
    lines.push(`  ${String(t.reported).padStart(8)}  ${t.level.padEnd(13)} ${t.ruleTitle} [${t.ruleId}]${silent}`);
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
