let lastFresh = 0;

/**
 * `deliver:<deliveryId>:<attempt>`: one job per attempt, so re-enqueueing an attempt is a no-op.
 * `fresh` adds `-r<n>` (a new id even if a job for this attempt number exists or ran): for a
 * redelivery, whose attempt number may have had a job before.
 */
export function deliverJobId(deliveryId: string, attempt: number, options: { fresh?: boolean } = {}): string {
  if (!options.fresh) return `deliver:${deliveryId}:${attempt}`;
  lastFresh = Math.max(Date.now(), lastFresh + 1);
  return `deliver:${deliveryId}:${attempt}-r${lastFresh}`;
}

/** The attempt number of a deliver job id, with or without the `-r<n>` suffix. */
export function attemptOfJobId(jobId: string | undefined): number | undefined {
  const n = Number(/^deliver:[^:]+:(\d+)(?:-r\d+)?$/.exec(jobId ?? '')?.[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
