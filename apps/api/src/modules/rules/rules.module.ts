import { Module, type MiddlewareConsumer, type NestModule, Inject } from '@nestjs/common';
import { text } from 'express';
import type { RedisClient } from '@trailguard/queues';
import { Database } from '@trailguard/db';
import { TenantRulesLoader } from '@trailguard/detection';
import { REDIS } from '../../common/redis.provider';
import { RUNTIME, type Runtime } from '../../common/runtime';
import { RulesController } from './rules.controller';
import { RulesService } from './rules.service';

@Module({
  controllers: [RulesController],
  providers: [
    RulesService,
    { provide: TenantRulesLoader, inject: [Database, REDIS], useFactory: (db: Database, redis: RedisClient) => new TenantRulesLoader(db, redis) },
  ],
  exports: [TenantRulesLoader],
})
export class RulesModule implements NestModule {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  configure(consumer: MiddlewareConsumer): void {
    // Sigma rules may be posted as raw YAML.
    consumer
      .apply(text({ type: ['application/yaml', 'application/x-yaml', 'text/yaml'], limit: this.runtime.config.MAX_BODY_BYTES }))
      .forRoutes(RulesController);
  }
}
