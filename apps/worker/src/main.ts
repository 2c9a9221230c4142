import { loadConfig } from '@trailguard/config';
import { ensureInfrastructure } from '@trailguard/runtime';
import { startWorkers } from './create-worker';

/** The workers alone (production: worker replicas). */
async function main(): Promise<void> {
  const config = loadConfig();
  const infra = await ensureInfrastructure(config);
  const ctx = await startWorkers({ config, appDatabaseUrl: infra.appUrl, redisUrl: infra.redisUrl, secretsKey: infra.secretsKey });
  const stop = async () => {
    await ctx.close();
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
