import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ApiKeyAuth } from '@trailguard/db';
import { apiKeyRevocationsChannel, redisClient, type RedisClient } from '@trailguard/queues';
import { REDIS } from './redis.provider';
import { RUNTIME, type Runtime } from './runtime';

/** How long a key stays trusted without a database look-up; revocations end it earlier. */
export const API_KEY_CACHE_TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  auth: ApiKeyAuth;
  expiresAt: number;
}

/**
 * API keys by the hash of their secret, for a few seconds, so a request does not cost a database
 * look-up. A revocation reaches every process at once over Redis pub/sub. The cache is only used
 * while this process is subscribed: if the subscription drops, messages may be missed, so the
 * cache is emptied and bypassed until it is back. A look-up that started before a revocation
 * arrived does not store its (possibly stale) answer: entries are stamped with a generation that
 * every revocation advances.
 */
@Injectable()
export class ApiKeyCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ApiKeyCache');
  private readonly byHash = new Map<string, Entry>();
  private generation = 0;
  private subscribed = false;
  private subscriber: RedisClient | undefined;
  private readonly channel = apiKeyRevocationsChannel();

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  async onModuleInit(): Promise<void> {
    // A subscribed connection can do nothing else: it is this cache's own.
    const sub = redisClient(this.runtime.redisUrl, { maxRetriesPerRequest: 2, autoResubscribe: false });
    this.subscriber = sub;
    sub.on('message', (channel: string, keyId: string) => {
      if (channel === this.channel) this.evict(keyId);
    });
    sub.on('close', () => this.bypass());
    sub.on('ready', () => void this.subscribe(sub));
    await this.subscribe(sub).catch(() => undefined);
  }

  private async subscribe(sub: RedisClient): Promise<void> {
    this.bypass();
    try {
      await sub.subscribe(this.channel);
      // Whatever was revoked while unsubscribed is unknown: start empty.
      this.byHash.clear();
      this.generation++;
      this.subscribed = true;
    } catch (error) {
      this.logger.warn(`API key revocations not subscribed (authenticating from the database): ${(error as Error).message}`);
    }
  }

  private bypass(): void {
    this.subscribed = false;
    this.byHash.clear();
    this.generation++;
  }

  /** The key of this secret hash: from the cache, or from `load` (then kept if still safe to). */
  async authenticate(secretHash: string, load: () => Promise<ApiKeyAuth | null>): Promise<ApiKeyAuth | null> {
    const now = Date.now();
    const hit = this.byHash.get(secretHash);
    if (hit && hit.expiresAt > now && this.subscribed) return hit.auth;
    if (hit) this.byHash.delete(secretHash);
    const generation = this.generation;
    const auth = await load();
    // Only keys that authenticate are kept: unknown secrets would let anyone fill the memory.
    if (auth && !auth.revoked && this.subscribed && generation === this.generation) {
      if (this.byHash.size >= MAX_ENTRIES) this.byHash.clear();
      this.byHash.set(secretHash, { auth, expiresAt: now + API_KEY_CACHE_TTL_MS });
    }
    return auth;
  }

  /**
   * Tells every API process (this one included) that the key is revoked. Called after the
   * revocation committed; throws if Redis did not take the message, so the caller can retry
   * (revoking again is idempotent and announces again).
   */
  async announceRevoked(keyId: string): Promise<void> {
    this.evict(keyId);
    await this.redis.publish(this.channel, keyId);
  }

  private evict(keyId: string): void {
    this.generation++;
    for (const [hash, entry] of this.byHash) if (entry.auth.id === keyId) this.byHash.delete(hash);
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscribed = false;
    this.subscriber?.disconnect();
  }
}
