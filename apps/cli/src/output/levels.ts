export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

/** 0 informational ... 4 critical; an unknown level ranks as medium (Sigma's default). */
export function levelRank(level: string): number {
  const at = (LEVELS as readonly string[]).indexOf(level.toLowerCase());
  return at === -1 ? 2 : at;
}
