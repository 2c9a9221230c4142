import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApiApp } from '@trailguard/api-app';
import { startWorkers } from '@trailguard/worker-app';
import { testConfig, testEnv } from './test-env';

export interface TestApp {
  app: NestExpressApplication;
  http: ReturnType<typeof request>;
  adminToken: string;
  close(): Promise<void>;
}

/** The real API on the run's Postgres and Redis, listening on a loopback port. */
export async function startTestApp(configOverrides: Record<string, string> = {}): Promise<TestApp> {
  const env = testEnv();
  const adminToken = `test-operator-${randomBytes(12).toString('hex')}`;
  const app = await createApiApp({
    config: testConfig(configOverrides),
    appDatabaseUrl: env.appUrl,
    redisUrl: env.redisUrl,
    adminToken,
    secretsKey: env.secretsKey,
  });
  await app.listen(0, '127.0.0.1');
  return {
    app,
    http: request(app.getHttpServer()),
    adminToken,
    close: () => app.close(),
  };
}

/**
 * Real workers on the run's Postgres and Redis. Every worker of the run shares the run's secrets
 * key: any of them may take any job on the run's queues, as in production.
 */
export function startTestWorkers(configOverrides: Record<string, string> = {}): Promise<INestApplicationContext> {
  const env = testEnv();
  return startWorkers({
    config: testConfig(configOverrides),
    appDatabaseUrl: env.appUrl,
    redisUrl: env.redisUrl,
    secretsKey: env.secretsKey,
  });
}
