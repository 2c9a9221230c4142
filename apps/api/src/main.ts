import { loadConfig } from '@trailguard/config';
import { describeInfrastructure, ensureInfrastructure, exitOnStartFailure, listeningAt, stopOnSignals } from '@trailguard/runtime';
import { createApiApp } from './create-api-app';

/** The API alone (production: api replicas; workers run from apps/worker). */
async function main(): Promise<void> {
  const config = loadConfig();
  const say = (line: string) => process.stderr.write(`[trailguard api] ${line}\n`);
  const infra = await ensureInfrastructure(config, say);
  const app = await createApiApp({
    config,
    appDatabaseUrl: infra.appUrl,
    redisUrl: infra.redisUrl,
    adminToken: infra.adminToken,
    secretsKey: infra.secretsKey,
  });
  await app.listen(config.PORT, config.HOST);
  say(
    `listening on ${listeningAt(app.getHttpServer().address(), config.HOST).address} (${describeInfrastructure(infra, config)}, pid ${process.pid})`,
  );
  stopOnSignals(async () => {
    await app.close();
    await infra.stop();
  });
}

main().catch(exitOnStartFailure);
