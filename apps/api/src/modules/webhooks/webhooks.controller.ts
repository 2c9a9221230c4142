import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import type { TenantId } from '@trailguard/db';
import { CurrentPrincipal, CurrentTenant, MinRole, type Principal } from '../../common/auth';
import { IdParam } from '../../common/id-param';
import { ApiJsonBody } from '../../common/openapi';
import { pageQuery, ZodBody, ZodQuery } from '../../common/zod-body';
import {
  createWebhookBody,
  deliveriesQuery,
  rotateSecretBody,
  updateWebhookBody,
  type CreateWebhookBody,
  type DeliveriesQuery,
  type RotateSecretBody,
  type UpdateWebhookBody,
} from './webhooks.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @MinRole('viewer')
  @ApiOperation({ summary: 'List webhook endpoints (secrets are never shown again; URLs masked for keys below admin)' })
  list(@CurrentPrincipal() p: Principal, @ZodQuery(pageQuery) q: z.infer<typeof pageQuery>) {
    return this.webhooks.list(p.tenantId, q, p.role);
  }

  @Post()
  @HttpCode(201)
  @MinRole('admin')
  @ApiOperation({ summary: 'Create an endpoint; its whsec_ signing secret is in the response once' })
  @ApiJsonBody(createWebhookBody)
  create(@CurrentPrincipal() p: Principal, @ZodBody(createWebhookBody) body: CreateWebhookBody) {
    return this.webhooks.create(p.tenantId, body, p.keyId);
  }

  @Get(':id')
  @MinRole('viewer')
  @ApiOperation({ summary: 'One endpoint (its URL masked for keys below admin: a receiver URL can be a credential)' })
  get(@CurrentPrincipal() p: Principal, @IdParam() id: string) {
    return this.webhooks.get(p.tenantId, id, p.role);
  }

  @Patch(':id')
  @MinRole('admin')
  @ApiOperation({ summary: 'Edit url, description, event types, minimum severity; enable or disable' })
  @ApiJsonBody(updateWebhookBody)
  update(@CurrentPrincipal() p: Principal, @IdParam() id: string, @ZodBody(updateWebhookBody) body: UpdateWebhookBody) {
    return this.webhooks.update(p.tenantId, id, body, p.keyId);
  }

  @Delete(':id')
  @HttpCode(204)
  @MinRole('admin')
  @ApiOperation({ summary: 'Delete an endpoint with its secrets and delivery log' })
  remove(@CurrentPrincipal() p: Principal, @IdParam() id: string): Promise<void> {
    return this.webhooks.remove(p.tenantId, id, p.keyId);
  }

  @Post(':id/test')
  @HttpCode(200)
  @MinRole('admin')
  @ApiOperation({ summary: 'Send a signed webhook.test message now (one attempt); the result is returned and logged' })
  test(@CurrentTenant() tenantId: TenantId, @IdParam() id: string) {
    return this.webhooks.test(tenantId, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @MinRole('admin')
  @ApiOperation({ summary: 'New signing secret (shown once); previous ones keep signing for graceSeconds (default 24 h)' })
  @ApiJsonBody(rotateSecretBody)
  rotate(@CurrentPrincipal() p: Principal, @IdParam() id: string, @ZodBody(rotateSecretBody) body: RotateSecretBody) {
    return this.webhooks.rotateSecret(p.tenantId, id, body, p.keyId);
  }

  @Get(':id/deliveries')
  @MinRole('viewer')
  @ApiOperation({ summary: 'Delivery log, newest first, each delivery with its attempts' })
  deliveries(@CurrentTenant() tenantId: TenantId, @IdParam() id: string, @ZodQuery(deliveriesQuery) q: DeliveriesQuery) {
    return this.webhooks.deliveries(tenantId, id, q);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @MinRole('admin')
  @ApiOperation({ summary: 'Send a failed or succeeded delivery again: a new attempt series, same webhook-id and body' })
  redeliver(@CurrentPrincipal() p: Principal, @IdParam() id: string, @IdParam('deliveryId') deliveryId: string) {
    return this.webhooks.redeliver(p.tenantId, id, deliveryId, p.keyId);
  }
}
