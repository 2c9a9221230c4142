import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { TenantId } from '@trailguard/db';
import { CurrentTenant, MinRole, Public } from '../../common/auth';
import { BudgetPerAccount } from '../../common/rate-limit.guard';
import { DomainError } from '../../common/domain-error';
import { IdParam } from '../../common/id-param';
import { IngestService } from './ingest.service';
import { RAW_UPLOAD_TYPES } from './raw-body.middleware';

function ingestToken(req: Request): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1];
  return bearer ?? req.header('x-ingest-token') ?? undefined;
}

@ApiTags('ingest')
@Controller('v1')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @Post('aws-accounts/:id/events')
  @HttpCode(202)
  @MinRole('analyst')
  @ApiBearerAuth()
  @ApiConsumes('application/json', 'application/x-ndjson', 'application/gzip')
  @ApiOperation({
    summary:
      'Upload CloudTrail records: a log file {"Records":[...]}, NDJSON, or gzip of either; malformed records are reported by position',
  })
  upload(@CurrentTenant() tenantId: TenantId, @IdParam() id: string, @Req() req: Request) {
    const declaredGzip = req.is(['application/gzip', 'application/x-gzip']) !== false || req.headers['content-encoding'] === 'gzip';
    // A declared NDJSON body is read line by line even when its first line is junk (no guessing).
    const declaredNdjson = req.is(['application/x-ndjson', 'application/ndjson', 'application/jsonl']) !== false;
    if (req.is(RAW_UPLOAD_TYPES) && Buffer.isBuffer(req.body))
      return this.ingest.upload(tenantId, id, req.body, declaredGzip, declaredNdjson, req.is('application/json') !== false);
    throw new DomainError(
      'unsupported_media_type',
      `send application/json, application/x-ndjson or application/gzip, not ${req.headers['content-type'] ?? 'no content type'}`,
    );
  }

  @Post('ingest/eventbridge/:accountId')
  @BudgetPerAccount('accountId')
  @HttpCode(202)
  @Public()
  @ApiOperation({
    summary:
      'EventBridge API destination: events of detail-type "AWS API Call via CloudTrail", one or an array; per-account ingest token as Bearer or X-Ingest-Token',
  })
  eventBridge(@Param('accountId') accountId: string, @Req() req: Request) {
    return this.ingest.eventBridge(accountId, ingestToken(req), req.body, req.is('application/json') !== false);
  }
}
