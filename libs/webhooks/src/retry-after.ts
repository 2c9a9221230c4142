/**
 * Parses a Retry-After header: delay-seconds or an HTTP-date (RFC 9110 10.2.3). Returns whole
 * seconds from `now`, or undefined when the header is missing or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: Date = new Date()): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) {
    const seconds = Number(raw);
    return Number.isSafeInteger(seconds) ? seconds : undefined;
  }
  // Only dates with letters in them: Date.parse would otherwise accept things like "1.5".
  if (!/[a-z]/i.test(raw)) return undefined;
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}
