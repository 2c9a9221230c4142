import type { Config } from '@trailguard/config';

export const RUNTIME = Symbol('RUNTIME');

/** What the process resolved at boot: validated config plus where the infrastructure is. */
export interface Runtime {
  config: Config;
  appDatabaseUrl: string;
  redisUrl: string;
  adminToken: string;
  secretsKey: Buffer;
}
