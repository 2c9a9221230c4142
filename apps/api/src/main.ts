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
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
