import { z } from 'zod';
import type { AllowlistEntry } from '@trailguard/db';

export const createAllowlistBody = z.strictObject({
  /** An ARN, `*` matching any run of characters: arn:aws:iam::111122223333:role/Admin*. */
  principalPattern: z
    .string()
    .trim()
    .min(5)
    .max(512)
    .regex(/^arn:[^\s]+$/, 'must be an ARN pattern such as arn:aws:iam::111122223333:role/Admin'),
  /** Rules it applies to; absent or empty: every rule. */
  ruleIds: z.array(z.string().min(1).max(200)).max(500).default([]),
  reason: z.string().trim().min(1).max(1000),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type CreateAllowlistBody = z.infer<typeof createAllowlistBody>;

export function toAllowlistView(e: AllowlistEntry) {
  return {
    id: e.id,
    principalPattern: e.principalPattern,
    ruleIds: e.ruleIds,
    reason: e.reason,
    createdBy: e.createdBy,
    expiresAt: e.expiresAt,
    createdAt: e.createdAt,
    expired: e.expiresAt !== null && e.expiresAt <= new Date(),
  };
}
