import type { Config } from '@trailguard/config';

export const WORKER_RUNTIME = Symbol('WORKER_RUNTIME');

export interface WorkerRuntime {
  config: Config;
  appDatabaseUrl: string;
  redisUrl: string;
  secretsKey: Buffer;
}
