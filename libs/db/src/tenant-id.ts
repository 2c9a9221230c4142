/**
 * A tenant id that came from an authenticated context. Repositories accept only this type, so a
 * query cannot be written without deciding whose data it touches.
 */
export type TenantId = string & { readonly __brand: 'TenantId' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function asTenantId(value: string): TenantId {
  if (!UUID.test(value)) throw new Error(`not a tenant id: ${value}`);
  return value as TenantId;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
