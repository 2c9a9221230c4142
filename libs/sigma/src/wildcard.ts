/**
 * Wildcard matching where `*` matches any run of characters (possibly empty) and every other
 * character is literal. Tenant text (condition patterns such as `1 of sel_*`, allowlist ARN
 * patterns) becomes a pattern here, so this must never backtrack exponentially the way a
 * `RegExp` built from `a*a*a*b` does: the greedy two-pointer walk below only ever returns to the
 * most recent `*`, which bounds the work by O(pattern length * subject length).
 */
export function wildcardMatch(pattern: string, subject: string): boolean {
  let pi = 0;
  let si = 0;
  let starPi = -1;
  let starSi = 0;
  while (si < subject.length) {
    const pc = pattern.charCodeAt(pi);
    if (pi < pattern.length && pc !== 42 /* * */ && pc === subject.charCodeAt(si)) {
      pi++;
      si++;
    } else if (pi < pattern.length && pc === 42) {
      // Remember where this star is; it first matches the empty run.
      starPi = pi++;
      starSi = si;
    } else if (starPi >= 0) {
      // Let the last star swallow one more character and retry the rest of the pattern.
      pi = starPi + 1;
      si = ++starSi;
    } else {
      return false;
    }
  }
  while (pi < pattern.length && pattern.charCodeAt(pi) === 42) pi++;
  return pi === pattern.length;
}

/** A reusable test for one pattern; patterns without `*` become a plain comparison. */
export function wildcardMatcher(pattern: string): (subject: string) => boolean {
  if (!pattern.includes('*')) return (s) => s === pattern;
  if (/^\*+$/.test(pattern)) return () => true;
  return (s) => wildcardMatch(pattern, s);
}
