import { detectShards, loadConfig, type Config } from '@trailguard/config';
import { JobQueue, redisConnection } from '@trailguard/queues';

/** What the global setup prepared for this run (see test/global-setup.ts). */
export function testEnv() {
  const need = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run tests through jest (test/global-setup.ts)`);
    return value;
  };
  return {
    ownerUrl: need('TG_TEST_OWNER_URL'),
    appUrl: need('TG_TEST_APP_URL'),
    redisUrl: need('TG_TEST_REDIS_URL'),
    serverUrl: need('TG_TEST_SERVER_URL'),
    /** One key for the whole run: API and workers must agree to read each other's encrypted secrets. */
    secretsKey: Buffer.from(need('TG_TEST_SECRETS_KEY'), 'base64'),
  };
}

/** DETECT_QUEUE_SHARDS from the environment reaches every test's config: the suite can run sharded. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const shards = process.env.DETECT_QUEUE_SHARDS ? { DETECT_QUEUE_SHARDS: process.env.DETECT_QUEUE_SHARDS } : {};
  // Suites make many deliberate 401s from one address: the failed-auth limit is tested on its own.
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    AUTH_FAILURES_PER_MINUTE: '100000',
    ...shards,
    ...overrides,
  });
}

/** A producer with the same queue topology as the test workers. */
export function testJobQueue(redisUrl = testEnv().redisUrl, overrides: Record<string, string> = {}): JobQueue {
  return new JobQueue(redisConnection(redisUrl), { detectShards: detectShards(testConfig(overrides)) });
}
