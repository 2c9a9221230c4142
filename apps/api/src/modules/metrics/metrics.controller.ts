import { Controller, Get, Header, Headers, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { createHash, timingSafeEqual } from 'node:crypto';
import { register } from 'prom-client';
import { Public } from '../../common/auth';
import { DomainError } from '../../common/domain-error';
import { RUNTIME, type Runtime } from '../../common/runtime';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get()
  @Header('Content-Type', register.contentType)
  @ApiOperation({ summary: 'Prometheus metrics (with METRICS_TOKEN set: send it as "Authorization: Bearer <token>")' })
  metrics(@Headers('authorization') authorization?: string): Promise<string> {
    const token = this.runtime.config.METRICS_TOKEN;
    if (token !== undefined) {
      const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
      // Compared as digests: constant time whatever the lengths.
      if (!timingSafeEqual(digest(given), digest(token))) {
        throw new DomainError('unauthorized', 'the metrics need the metrics token as "Authorization: Bearer <token>"');
      }
    }
    return register.metrics();
  }
}
