import { z } from 'zod';
import type { ApiKey } from '@trailguard/db';

export const createApiKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  role: z.enum(['admin', 'analyst', 'viewer']),
});
export type CreateApiKeyBody = z.infer<typeof createApiKeyBody>;

/** Never includes the secret or its hash. */
export function toApiKeyView(k: ApiKey) {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    prefix: k.prefix,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
  };
}
