import { Logger } from '@nestjs/common';
import { detectShards, loadConfig } from '@trailguard/config';
import { describeInfrastructure, ensureInfrastructure, exitOnStartFailure, stopOnSignals } from '@trailguard/runtime';
import { startWorkers } from './create-worker';
import { serveWorkerHealth } from './worker-health';

/** The workers alone (production: worker replicas, each serving every queue and shard). */
async function main(): Promise<void> {
  const config = loadConfig();
  const say = (line: string) => process.stderr.write(`[trailguard worker] ${line}\n`);
  const infra = await ensureInfrastructure(config, say);
  const ctx = await startWorkers({ config, appDatabaseUrl: infra.appUrl, redisUrl: infra.redisUrl, secretsKey: infra.secretsKey });
  say(`working (${describeInfrastructure(infra, config)}, detection shards: ${detectShards(config)}, pid ${process.pid})`);
  const health = config.WORKER_HEALTH_PORT ? await serveWorkerHealth(ctx, config.WORKER_HEALTH_PORT) : undefined;
  const logger = new Logger('Worker');
  if (health) logger.log(`health check on :${config.WORKER_HEALTH_PORT}/healthz`);
  stopOnSignals(async (signal) => {
    logger.log(`${signal}: finishing the jobs in hand`);
    health?.close();
    await ctx.close();
    await infra.stop();
  });
}

main().catch(exitOnStartFailure);
