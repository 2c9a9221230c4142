/**
 * A worker in a child process, so a test can kill -9 it. Configuration comes from the
 * environment the test passes (TG_TEST_* and config variables).
 */
import { startWorkers } from '@trailguard/worker-app';
import { testConfig, testEnv } from './test-env';

async function main(): Promise<void> {
  const env = testEnv();
  const overrides = JSON.parse(process.env.TG_WORKER_CONFIG ?? '{}') as Record<string, string>;
  await startWorkers({
    config: testConfig(overrides),
    appDatabaseUrl: process.env.TG_WORKER_APP_URL ?? env.appUrl,
    redisUrl: process.env.TG_WORKER_REDIS_URL ?? env.redisUrl,
    secretsKey: env.secretsKey,
  });
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
