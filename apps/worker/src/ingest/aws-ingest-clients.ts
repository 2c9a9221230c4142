import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import { KEY_ROOT, redisClient, type RedisClient } from '@trailguard/queues';
import {
  AssumedCredentialsCache,
  CustomerAwsClients,
  LookupEventsPager,
  RedisRateLimiter,
  S3TrailReader,
  type AssumeRoleTarget,
} from '@trailguard/aws';
import { WORKER_RUNTIME, type WorkerRuntime } from '../worker-runtime';

/** LookupEvents re-reads this much before the checkpoint for events AWS delivers late. */
export const POLL_OVERLAP_MS = 5 * 60 * 1000;

/**
 * The worker process's AWS side: one credential cache (credentials never leave this object:
 * not into job payloads, logs or the database), clients per account-region, and the LookupEvents
 * limiter shared through Redis with every other worker (2 requests/second per account-region).
 */
@Injectable()
export class AwsIngestClients implements BeforeApplicationShutdown, OnApplicationShutdown {
  readonly redis: RedisClient;
  readonly credentials = new AssumedCredentialsCache({ sessionName: 'trailguard-ingest' });
  readonly limiter: RedisRateLimiter;
  readonly clients: CustomerAwsClients;
  readonly pager: LookupEventsPager;
  readonly s3Reader: S3TrailReader;
  private readonly shutdown = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(@Inject(WORKER_RUNTIME) runtime: WorkerRuntime) {
    this.redis = redisClient(runtime.redisUrl, { maxRetriesPerRequest: 3 });
    this.limiter = new RedisRateLimiter(this.redis, { limit: 2, windowMs: 1000, prefix: `${KEY_ROOT}:` });
    const signal = this.shutdown.signal;
    this.clients = new CustomerAwsClients(this.credentials, {
      // A worker shutting down stops waiting for slots: the job fails, is retried elsewhere, and
      // the checkpoint (not advanced) makes the retry re-read what this run did not finish.
      lookupEventsGate: { acquire: (key) => this.limiter.acquire(key, signal) },
    });
    this.pager = new LookupEventsPager(this.clients, { overlapMs: POLL_OVERLAP_MS });
    this.s3Reader = new S3TrailReader(this.clients, { maxFiles: 100 });
  }

  get stopping(): AbortSignal {
    return this.shutdown.signal;
  }

  target(account: { roleArn: string | null; externalId: string }): AssumeRoleTarget | null {
    return account.roleArn ? { roleArn: account.roleArn, externalId: account.externalId } : null;
  }

  /** Runs an ingestion job's work so shutdown can wait for it (its lock release needs Redis). */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const p = work();
    this.inFlight.add(p);
    try {
      return await p;
    } finally {
      this.inFlight.delete(p);
    }
  }

  beforeApplicationShutdown(): void {
    this.shutdown.abort();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    this.clients.destroy();
    await this.redis.quit().catch(() => undefined);
  }
}
