import { Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TenantId } from '@trailguard/db';
import { CurrentTenant, MinRole, OperatorOnly } from '../../common/auth';
import { ApiJsonBody } from '../../common/openapi';
import { ZodBody } from '../../common/zod-body';
import { createTenantBody, patchTenantBody, type CreateTenantBody, type PatchTenantBody } from './tenants.dto';
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
  @ApiOperation({ summary: "The caller's tenant, with its retention settings" })
  get(@CurrentTenant() tenantId: TenantId) {
    return this.tenants.get(tenantId);
  }

  @Patch('tenant')
  @MinRole('admin')
  @ApiOperation({
    summary: 'Tenant settings: retentionDays (findings and their evidence; null: the platform default; at most the platform maximum)',
  })
  @ApiJsonBody(patchTenantBody)
  patch(@CurrentTenant() tenantId: TenantId, @ZodBody(patchTenantBody) body: PatchTenantBody) {
    return this.tenants.update(tenantId, body);
  }
}
