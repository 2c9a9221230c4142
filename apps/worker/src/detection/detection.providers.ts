import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { redisClient, type RedisClient } from '@trailguard/queues';
import { Database } from '@trailguard/db';
import { correlationPrefix, RedisCorrelationStore, TenantRulesLoader } from '@trailguard/detection';
import { WORKER_RUNTIME, type WorkerRuntime } from '../worker-runtime';
import { DetectionService } from './detection.service';
import { DETECTION_REDIS } from './detection.tokens';

@Injectable()
class DetectionRedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DETECTION_REDIS) private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}

export const detectionProviders: Provider[] = [
  DetectionRedisLifecycle,
  {
    provide: DETECTION_REDIS,
    inject: [WORKER_RUNTIME],
    useFactory: (runtime: WorkerRuntime) => redisClient(runtime.redisUrl, { maxRetriesPerRequest: 3 }),
  },
  {
    provide: TenantRulesLoader,
    inject: [Database, DETECTION_REDIS],
    useFactory: (db: Database, redis: RedisClient) =>
      new TenantRulesLoader(db, redis, (tenantId) => new RedisCorrelationStore(redis, correlationPrefix(tenantId))),
  },
  DetectionService,
];
