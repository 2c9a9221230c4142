import { createHash } from 'node:crypto';

/**
 * Every Redis key name is built here. The part in braces is the Redis Cluster hash tag: keys with
 * the same tag live in one slot (so one MULTI or Lua script may touch them together), keys with
 * different tags spread over the cluster's shards. Rules:
 * - per-tenant state carries the tenant in its tag (`tenantKey`), so tenants spread over shards;
 * - each queue has its own tag (`queuePrefix`), the detection queue is split into shards by tenant;
 * - a key of no tenant gets a tag of its own (`ownKey`) or, for small shared state, `globalKey`.
 */

/** Root of every key; also the pub/sub channel prefix (channels ignore slots unless sharded). */
export const KEY_ROOT = 'tg';

/** A key of one tenant: `tg:{t:<tenant>}:<parts>`. */
export function tenantKey(tenantId: string, ...parts: string[]): string {
  return `${KEY_ROOT}:{t:${tenantId}}:${parts.join(':')}`;
}

/** A key whose tag is its own name (e.g. an account-region lock): spreads by name. */
export function ownKey(...parts: string[]): string {
  return `${KEY_ROOT}:{${parts.join(':')}}`;
}

/** Small state shared by the whole installation, in one slot. */
export function globalKey(...parts: string[]): string {
  return `${KEY_ROOT}:{global}:${parts.join(':')}`;
}

/** BullMQ prefix of one queue: the queue's keys are `{tg:<queue>}:<queue>:...`, one slot per queue. */
export function queuePrefix(queueName: string): string {
  return `{${KEY_ROOT}:${queueName}}`;
}

/** The detection shard (0 .. shards-1) of a tenant: stable, spread evenly by a digest of the id. */
export function shardOf(tenantId: string, shards: number): number {
  if (shards <= 1) return 0;
  return createHash('sha1').update(tenantId).digest().readUInt32BE(0) % shards;
}

/**
 * Pub/sub channel on which an API process announces a revoked API key (the message is the key
 * id): every API process drops it from its authentication cache at once.
 */
export function apiKeyRevocationsChannel(): string {
  return `${KEY_ROOT}:api-keys:revoked`;
}

/**
 * The id of the `webhooks.deliver-batch` job that holds a delivery's first attempt: the sweep
 * reads it before giving an overdue delivery a job of its own, so a batch still waiting in a
 * backlog is not doubled by a single-delivery job. Expires on its own (the sweep only needs it
 * while the batch job exists). Per tenant, so one batch's keys share a slot.
 */
export function deliverBatchOfKey(tenantId: string, deliveryId: string): string {
  return tenantKey(tenantId, 'deliver-batch-of', deliveryId);
}
