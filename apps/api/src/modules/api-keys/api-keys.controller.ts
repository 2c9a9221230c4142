import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TenantId } from '@trailguard/db';
import { CurrentPrincipal, CurrentTenant, MinRole, type Principal } from '../../common/auth';
import { ApiJsonBody } from '../../common/openapi';
import { IdParam } from '../../common/id-param';
import { pageQuery, ZodBody, ZodQuery } from '../../common/zod-body';
import { createApiKeyBody, type CreateApiKeyBody } from './api-keys.dto';
import { ApiKeysService } from './api-keys.service';
import type { z } from 'zod';

@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @MinRole('admin')
  @ApiOperation({ summary: 'List API keys (secrets are never shown again)' })
  list(@CurrentTenant() tenantId: TenantId, @ZodQuery(pageQuery) q: z.infer<typeof pageQuery>) {
    return this.keys.list(tenantId, q);
  }

  @Post()
  @HttpCode(201)
  @MinRole('admin')
  @ApiOperation({ summary: 'Create an API key; the key is in the response once' })
  @ApiJsonBody(createApiKeyBody)
  create(@CurrentPrincipal() p: Principal, @ZodBody(createApiKeyBody) body: CreateApiKeyBody) {
    return this.keys.create(p.tenantId, body, p.keyId);
  }

  @Delete(':id')
  @MinRole('admin')
  @ApiOperation({ summary: 'Revoke an API key' })
  revoke(@CurrentTenant() tenantId: TenantId, @IdParam() id: string) {
    return this.keys.revoke(tenantId, id);
  }
}
