/**
 * Deepest nesting of objects and arrays a record may have. Real CloudTrail records nest about a
 * dozen levels; far deeper input parses fine but overflows the stack wherever it is serialised
 * again (batch encoding, the database's JSON), so it would poison every retry of its batch.
 * 126 = the API's 128-level body limit less the `{"Records":[` wrapper of a log file.
 */
export const MAX_RECORD_DEPTH = 126;

/** True when `value` nests objects/arrays deeper than `max`; recursion stops at `max`, so it cannot overflow. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (max === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (nestsDeeperThan(item, max - 1)) return true;
    return false;
  }
  for (const key in value) if (nestsDeeperThan((value as Record<string, unknown>)[key], max - 1)) return true;
  return false;
}

export const recordTooDeep = (record: unknown): boolean => nestsDeeperThan(record, MAX_RECORD_DEPTH);
