import { z } from 'zod';

const statuses = ['open', 'acknowledged', 'resolved', 'false_positive', 'suppressed'] as const;
const severities = ['informational', 'low', 'medium', 'high', 'critical'] as const;

/** Comma-separated list of enum values, e.g. `status=open,acknowledged`. */
const csvOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(values)).min(1));

/** `ocsf`: each finding as an OCSF Detection Finding (class 2004) instead of Trailguard's shape. */
const format = z.enum(['trailguard', 'ocsf']).default('trailguard');

export const listFindingsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(500).optional(),
  status: csvOf(statuses).optional(),
  severity: csvOf(severities).optional(),
  ruleId: z.string().min(1).max(200).optional(),
  accountId: z.uuid().optional(),
  actor: z.string().min(1).max(2048).optional(),
  kind: z.enum(['detection', 'correlation', 'posture']).optional(),
  /** lastSeenAt >= from */
  from: z.iso.datetime({ offset: true }).optional(),
  /** lastSeenAt < to */
  to: z.iso.datetime({ offset: true }).optional(),
  format,
});
export type ListFindingsQuery = z.infer<typeof listFindingsQuery>;

export const getFindingQuery = z.strictObject({ format });
export type GetFindingQuery = z.infer<typeof getFindingQuery>;

export const patchFindingBody = z
  .strictObject({
    status: z.enum(statuses).optional(),
    assignee: z.string().trim().min(1).max(200).nullable().optional(),
    comment: z.string().trim().min(1).max(10_000).optional(),
  })
  .refine((b) => b.status !== undefined || b.assignee !== undefined || b.comment !== undefined, 'give status, assignee and/or comment');
export type PatchFindingBody = z.infer<typeof patchFindingBody>;
