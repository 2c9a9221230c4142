import { loadConfig } from '@trailguard/config';
import { ensureInfrastructure } from '@trailguard/runtime';
import { createApiApp } from './create-api-app';

/** The API alone (production: api replicas; workers run from apps/worker). */
async function main(): Promise<void> {
  const config = loadConfig();
  const infra = await ensureInfrastructure(config);
  const app = await createApiApp({
    config,
    appDatabaseUrl: infra.appUrl,
    redisUrl: infra.redisUrl,
    adminToken: infra.adminToken,
    secretsKey: infra.secretsKey,
  });
  await app.listen(config.PORT, config.HOST);
  const stop = async () => {
    await app.close();
    await infra.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
