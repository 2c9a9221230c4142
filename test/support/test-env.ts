import { loadConfig, type Config } from '@trailguard/config';

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

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', ...overrides });
}
