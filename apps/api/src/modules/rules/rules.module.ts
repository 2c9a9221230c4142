import { Module } from '@nestjs/common';
import type { RedisClient } from '@trailguard/queues';
import { Database } from '@trailguard/db';
import { TenantRulesLoader } from '@trailguard/detection';
import { REDIS } from '../../common/redis.provider';
import { RulesController } from './rules.controller';
import { RulesService } from './rules.service';

@Module({
  controllers: [RulesController],
  providers: [
    RulesService,
    {
      provide: TenantRulesLoader,
      inject: [Database, REDIS],
      useFactory: (db: Database, redis: RedisClient) => new TenantRulesLoader(db, redis),
    },
  ],
  exports: [TenantRulesLoader],
})
// Rules may be posted as raw YAML: BodyAfterAuthInterceptor (common/) reads it after authentication.
export class RulesModule {}
