import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { RedisClient } from '@trailguard/queues';
import { Database } from '@trailguard/db';
import { JobQueue } from '@trailguard/queues';
import { Public } from '../../common/auth';
import { REDIS } from '../../common/redis.provider';

type Check = { ok: boolean; latencyMs: number; error?: string };

/** Runs a probe with a deadline; what the probe answers (e.g. queue depths) joins its check. */
async function timed(probe: () => Promise<Record<string, unknown> | void>, timeoutMs = 2000): Promise<Check & Record<string, unknown>> {
  const start = Date.now();
  try {
    const found = await Promise.race([
      probe(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    return { ok: true, latencyMs: Date.now() - start, ...found };
  } catch (error) {
    return { ok: false, latencyMs: Date.now() - start, error: (error as Error).message };
  }
}

@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly db: Database,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(JobQueue) private readonly queue: JobQueue,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process answers' })
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOperation({ summary: "Readiness: Postgres, Redis and the job queues answer (with each queue's depth)" })
  async readyz(@Res({ passthrough: true }) res: Response) {
    const [postgres, redis, queues] = await Promise.all([
      timed(() => this.db.ping()),
      timed(async () => void (await this.redis.ping())),
      timed(async () => ({ depths: await this.queue.depths() })),
    ]);
    const checks = { postgres, redis, queues };
    const ready = postgres.ok && redis.ok && queues.ok;
    res.status(ready ? 200 : 503);
    if (ready) return { status: 'ready', checks };
    // A 503 like any other failure: the error envelope, with the checks beside it for operators.
    const down = [postgres.ok ? null : 'Postgres', redis.ok ? null : 'Redis', queues.ok ? null : 'the queues']
      .filter(Boolean)
      .join(' and ');
    return { status: 'unavailable', checks, error: { code: 'unavailable', message: `${down} not answering` } };
  }
}
