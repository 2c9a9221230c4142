import type { Provider } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RUNTIME, type Runtime } from './runtime';

export const REDIS = Symbol('REDIS');

export const redisProvider: Provider = {
  provide: REDIS,
  inject: [RUNTIME],
  useFactory: (runtime: Runtime) => new Redis(runtime.redisUrl, { maxRetriesPerRequest: 2 }),
};
