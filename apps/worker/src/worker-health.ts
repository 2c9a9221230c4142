import type { INestApplicationContext } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { JobRunner } from './job-runner';

/**
 * GET /healthz for a standalone worker, which has no HTTP API of its own: 200 when every queue's
 * worker runs and is connected to Redis, else 503. Container health checks and orchestrators
 * probe it (docker-compose: WORKER_HEALTH_PORT).
 */
export async function serveWorkerHealth(ctx: INestApplicationContext, port: number, host = '0.0.0.0'): Promise<Server> {
  const runner = ctx.get(JobRunner);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/healthz') {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'not_found', message: 'GET /healthz only' } }));
      return;
    }
    runner.health().then(
      (h) =>
        res
          .writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: h.ok ? 'ok' : 'unavailable', queues: h.queues })),
      () => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'unavailable' })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
