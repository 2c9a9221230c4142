import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TenantId } from '@trailguard/db';
import { CurrentTenant, OperatorOnly } from '../../common/auth';
import { ApiJsonBody } from '../../common/openapi';
import { ZodBody } from '../../common/zod-body';
import { createTenantBody, type CreateTenantBody } from './tenants.dto';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@Controller('v1')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post('tenants')
  @HttpCode(201)
  @OperatorOnly()
  @ApiHeader({ name: 'X-Admin-Token', required: true })
  @ApiOperation({ summary: 'Create a tenant and its first admin API key (operator)' })
  @ApiJsonBody(createTenantBody)
  create(@ZodBody(createTenantBody) body: CreateTenantBody) {
    return this.tenants.create(body.name);
  }

  @Get('tenant')
  @ApiOperation({ summary: "The caller's tenant" })
  get(@CurrentTenant() tenantId: TenantId) {
    return this.tenants.get(tenantId);
  }
}
