import { z } from 'zod';

export const createTenantBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
});
export type CreateTenantBody = z.infer<typeof createTenantBody>;

/** Tenant settings an admin may change; `retentionDays: null` goes back to the platform default. */
export const patchTenantBody = z.strictObject({
  retentionDays: z.number().int().min(1).nullable().optional(),
});
export type PatchTenantBody = z.infer<typeof patchTenantBody>;
