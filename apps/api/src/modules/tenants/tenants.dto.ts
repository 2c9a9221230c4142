import { z } from 'zod';

export const createTenantBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
});
export type CreateTenantBody = z.infer<typeof createTenantBody>;
