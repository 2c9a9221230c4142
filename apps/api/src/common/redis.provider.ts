import type { Provider } from '@nestjs/common';
import { redisClient } from '@trailguard/queues';
import { RUNTIME, type Runtime } from './runtime';

export const REDIS = Symbol('REDIS');

export const redisProvider: Provider = {
  provide: REDIS,
  inject: [RUNTIME],
  useFactory: (runtime: Runtime) => redisClient(runtime.redisUrl, { maxRetriesPerRequest: 2 }),
};
