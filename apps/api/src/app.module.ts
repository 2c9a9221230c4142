import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { detectShards } from '@trailguard/config';
import { Database } from '@trailguard/db';
import { JobQueue, redisConnection, type RedisClient } from '@trailguard/queues';
import { ApiKeyCache } from './common/api-key-cache';
import { AuthGuard } from './common/auth';
import { BodyAfterAuthInterceptor } from './common/body-after-auth.interceptor';
import { ErrorFilter } from './common/error.filter';
import { pinoHttpParams } from './common/logging';
import { FailedAuthGuard, FailedAuthLimiter } from './common/failed-auth.limiter';
import { RateLimitGuard } from './common/rate-limit.guard';
import { REDIS, redisProvider } from './common/redis.provider';
import { RUNTIME, type Runtime } from './common/runtime';
import { AllowlistModule } from './modules/allowlist/allowlist.module';
import { ApiKeysModule } from './modules/api-keys/api-keys.module';
import { AwsAccountsModule } from './modules/aws-accounts/aws-accounts.module';
import { FindingsModule } from './modules/findings/findings.module';
import { HealthModule } from './modules/health/health.module';
import { IngestModule } from './modules/ingest/ingest.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { RulesModule } from './modules/rules/rules.module';
import { TenantsModule } from './modules/tenants/tenants.module';
import { WebhooksModule } from './modules/webhooks/webhooks.module';

@Injectable()
class ConnectionsLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly db: Database,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly queue: JobQueue,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.db.close(), this.redis.quit(), this.queue.close()]);
  }
}

/** Shared infrastructure providers, global so feature modules just inject them. */
@Module({})
class InfraModule {
  static forRoot(runtime: Runtime): DynamicModule {
    const providers: Provider[] = [
      { provide: RUNTIME, useValue: runtime },
      { provide: Database, useFactory: () => new Database({ url: runtime.appDatabaseUrl }) },
      redisProvider,
      // The producer side of the queues (syncs, uploads, pushes, redeliveries): one per process.
      {
        provide: JobQueue,
        useFactory: async () => {
          const queue = new JobQueue(redisConnection(runtime.redisUrl), { detectShards: detectShards(runtime.config) });
          await queue.agreeOnTopology();
          return queue;
        },
      },
      ApiKeyCache,
      ConnectionsLifecycle,
    ];
    return { module: InfraModule, global: true, providers, exports: [RUNTIME, Database, REDIS, JobQueue, ApiKeyCache] };
  }
}

function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

@Module({})
export class AppModule {
  static forRoot(runtime: Runtime): DynamicModule {
    return {
      module: AppModule,
      imports: [
        InfraModule.forRoot(runtime),
        LoggerModule.forRoot({
          pinoHttp: pinoHttpParams(runtime.config, {
            level: runtime.config.LOG_LEVEL,
            genReqId: requestId,
            redact: ['req.headers.authorization', 'req.headers["x-admin-token"]', 'req.headers.cookie', 'req.headers["x-ingest-token"]'],
            autoLogging: { ignore: (req: IncomingMessage) => req.url === '/healthz' || req.url === '/metrics' },
          }),
        }),
        HealthModule,
        MetricsModule,
        TenantsModule,
        ApiKeysModule,
        RulesModule,
        AllowlistModule,
        FindingsModule,
        AwsAccountsModule,
        IngestModule,
        WebhooksModule,
      ],
      providers: [
        FailedAuthLimiter,
        { provide: APP_GUARD, useClass: FailedAuthGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
        // The first interceptor: later ones (if any) see a parsed body.
        { provide: APP_INTERCEPTOR, useClass: BodyAfterAuthInterceptor },
      ],
    };
  }
}
