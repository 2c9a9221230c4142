import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TenantId } from '@trailguard/db';
import type { z } from 'zod';
import { CurrentPrincipal, CurrentTenant, type Principal } from '../../common/auth';
import { IdParam } from '../../common/id-param';
import { ApiJsonBody } from '../../common/openapi';
import { pageQuery, ZodBody, ZodQuery } from '../../common/zod-body';
import { createAllowlistBody, type CreateAllowlistBody } from './allowlist.dto';
import { AllowlistService } from './allowlist.service';

@ApiTags('allowlist')
@ApiBearerAuth()
@Controller('v1/allowlist')
export class AllowlistController {
  constructor(private readonly allowlist: AllowlistService) {}

  @Get()
  @ApiOperation({ summary: "The tenant's known administrators" })
  list(@CurrentTenant() tenantId: TenantId, @ZodQuery(pageQuery) q: z.infer<typeof pageQuery>) {
    return this.allowlist.list(tenantId, q);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a known administrator (principal pattern, optional rule scope and expiry)' })
  @ApiJsonBody(createAllowlistBody)
  create(@CurrentPrincipal() p: Principal, @ZodBody(createAllowlistBody) body: CreateAllowlistBody) {
    return this.allowlist.create(p.tenantId, body, p.keyId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One allowlist entry' })
  get(@CurrentTenant() tenantId: TenantId, @IdParam() id: string) {
    return this.allowlist.get(tenantId, id);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Remove an allowlist entry' })
  remove(@CurrentTenant() tenantId: TenantId, @IdParam() id: string) {
    return this.allowlist.remove(tenantId, id);
  }
}
