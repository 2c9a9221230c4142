import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { Database } from '@trailguard/db';
import { Public } from '../../common/auth';
import { REDIS } from '../../common/redis.provider';

type Check = { ok: boolean; latencyMs: number; error?: string };

async function timed(probe: () => Promise<unknown>, timeoutMs = 2000): Promise<Check> {
  const start = Date.now();
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    return { ok: true, latencyMs: Date.now() - start };
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
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('healthz')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process answers' })
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOperation({ summary: 'Readiness: Postgres and Redis answer' })
  async readyz(@Res({ passthrough: true }) res: Response) {
    const [postgres, redis] = await Promise.all([timed(() => this.db.ping()), timed(() => this.redis.ping())]);
    const ready = postgres.ok && redis.ok;
    res.status(ready ? 200 : 503);
    if (ready) return { status: 'ready', checks: { postgres, redis } };
    // A 503 like any other failure: the error envelope, with the checks beside it for operators.
    const down = [postgres.ok ? null : 'Postgres', redis.ok ? null : 'Redis'].filter(Boolean).join(' and ');
    return { status: 'unavailable', checks: { postgres, redis }, error: { code: 'unavailable', message: `${down} not answering` } };
  }
}
