import { loadConfig, ConfigError } from '@trailguard/config';
import { createApiApp } from '@trailguard/api-app';
import { startWorkers } from '@trailguard/worker-app';
import { describeInfrastructure, ensureInfrastructure, listeningAt, stopOnSignals } from '@trailguard/runtime';

/**
 * `npm start`: API and workers in one process on one machine. With DATABASE_URL / REDIS_URL
 * unset it starts the embedded Postgres and a redis-server child under DATA_DIR.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const say = (line: string) => process.stderr.write(`[trailguard] ${line}\n`);
  const infra = await ensureInfrastructure(config, say);
  const runtime = {
    config,
    appDatabaseUrl: infra.appUrl,
    redisUrl: infra.redisUrl,
    adminToken: infra.adminToken,
    secretsKey: infra.secretsKey,
  };
  const api = await createApiApp(runtime);
  const workers = config.RUN_WORKERS ? await startWorkers(runtime) : undefined;
  await api.listen(config.PORT, config.HOST);

  const { address, url } = listeningAt(api.getHttpServer().address(), config.HOST);
  say(`listening on ${address}  (API docs: ${url}/docs, OpenAPI: ${url}/docs-json)`);
  say(`${describeInfrastructure(infra, config)}, workers: ${workers ? 'in this process' : 'off'}`);
  if (infra.adminTokenGenerated && config.NODE_ENV === 'development') {
    say(`development operator token (X-Admin-Token): ${infra.adminToken}`);
    say(
      `  create a tenant: curl -s -X POST ${url}/v1/tenants -H 'X-Admin-Token: ${infra.adminToken}' -H 'Content-Type: application/json' -d '{"name":"acme"}'`,
    );
  }

  stopOnSignals(async (signal) => {
    const started = Date.now();
    const took = () => `${Date.now() - started} ms`;
    say(`${signal}: stopping (finishing jobs in hand)`);
    // The API first (no new work), then the workers (they finish the jobs in hand), then Postgres
    // and Redis: in their own process groups, they are still up until here (libs/runtime).
    await api.close();
    await workers?.close();
    await infra.stop();
    say(`stopped in ${took()}`);
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
