import { Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TenantId } from '@trailguard/db';
import type { z } from 'zod';
import { CurrentPrincipal, CurrentTenant, MinRole, type Principal } from '../../common/auth';
import { IdParam } from '../../common/id-param';
import { ApiJsonBody } from '../../common/openapi';
import { pageQuery, ZodBody, ZodQuery } from '../../common/zod-body';
import {
  getFindingQuery,
  listFindingsQuery,
  patchFindingBody,
  type GetFindingQuery,
  type ListFindingsQuery,
  type PatchFindingBody,
} from './findings.dto';
import { FindingsService } from './findings.service';

@ApiTags('findings')
@ApiBearerAuth()
@Controller('v1/findings')
export class FindingsController {
  constructor(private readonly findings: FindingsService) {}

  @Get()
  @ApiOperation({
    summary:
      'Findings, newest first, filtered by status, severity, rule, account, actor, time; format=ocsf renders OCSF Detection Findings',
  })
  list(@CurrentTenant() tenantId: TenantId, @ZodQuery(listFindingsQuery) q: ListFindingsQuery) {
    return this.findings.list(tenantId, q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One finding with its evidence records; format=ocsf renders an OCSF Detection Finding (class 2004)' })
  get(@CurrentTenant() tenantId: TenantId, @IdParam() id: string, @ZodQuery(getFindingQuery) q: GetFindingQuery) {
    return this.findings.get(tenantId, id, q.format);
  }

  @Patch(':id')
  @MinRole('analyst')
  @ApiOperation({ summary: 'Triage: status, assignee, comment' })
  @ApiJsonBody(patchFindingBody)
  update(@CurrentPrincipal() p: Principal, @IdParam() id: string, @ZodBody(patchFindingBody) body: PatchFindingBody) {
    return this.findings.update(p.tenantId, id, body, p);
  }

  @Get(':id/activity')
  @ApiOperation({ summary: 'The history of a finding' })
  activity(@CurrentTenant() tenantId: TenantId, @IdParam() id: string, @ZodQuery(pageQuery) q: z.infer<typeof pageQuery>) {
    return this.findings.activity(tenantId, id, q);
  }
}
