import { loadConfig } from '@trailguard/config';
import { ensureInfrastructure, exitOnStartFailure, stopOnSignals } from '@trailguard/runtime';
import { startWorkers } from './create-worker';

/** The workers alone (production: worker replicas). */
async function main(): Promise<void> {
  const config = loadConfig();
  const infra = await ensureInfrastructure(config);
  const ctx = await startWorkers({ config, appDatabaseUrl: infra.appUrl, redisUrl: infra.redisUrl, secretsKey: infra.secretsKey });
  stopOnSignals(async () => {
    await ctx.close();
    await infra.stop();
  });
}

main().catch(exitOnStartFailure);
