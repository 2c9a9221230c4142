/** ANSI severity colours, as incident responders' tools print them. */
const LEVEL_COLOR: Record<string, string> = {
  critical: '\u001b[1;97;41m', // bold white on red
  high: '\u001b[1;31m', // bold red
  medium: '\u001b[33m', // yellow
  low: '\u001b[36m', // cyan
  informational: '\u001b[2m', // dim
};
const RESET = '\u001b[0m';

export function colorLevel(level: string, text: string, enabled: boolean): string {
  const code = LEVEL_COLOR[level];
  return enabled && code !== undefined ? `${code}${text}${RESET}` : text;
}

/**
 * Colours for a stream: only on a terminal, and never when NO_COLOR is set to anything non-empty
 * (no-color.org) or FORCE_COLOR=0; FORCE_COLOR=1 turns them on anywhere.
 */
export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] === '0') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '') return true;
  return stream.isTTY === true;
}
