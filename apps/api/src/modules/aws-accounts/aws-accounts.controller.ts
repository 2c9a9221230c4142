import { Controller, Delete, Get, HttpCode, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import type { TenantId } from '@trailguard/db';
import { CurrentPrincipal, CurrentTenant, MinRole, Public, type Principal } from '../../common/auth';
import { IdParam } from '../../common/id-param';
import { ApiJsonBody } from '../../common/openapi';
import { pageQuery, ZodBody, ZodQuery } from '../../common/zod-body';
import {
  createAccountBody,
  updateAccountBody,
  verifyBody,
  type CreateAccountBody,
  type UpdateAccountBody,
  type VerifyBody,
  bucket,
  prefix,
} from './aws-accounts.dto';
import { AwsAccountsService } from './aws-accounts.service';
import { TrailBaselineService } from './trail-baseline.service';

const templateQuery = z.strictObject({
  externalId: z.string().regex(/^tg-[\w-]{32}$/),
  polling: z.enum(['true', 'false']).default('true'),
  // The same checks as registration: the template embeds them in IAM ARNs.
  s3Bucket: bucket.optional(),
  s3Prefix: prefix.optional(),
});

const baseUrl = (req: Request): string => `${req.protocol}://${req.get('host') ?? 'localhost'}`;

@ApiTags('aws-accounts')
@ApiBearerAuth()
@Controller('v1/aws-accounts')
export class AwsAccountsController {
  constructor(
    private readonly accounts: AwsAccountsService,
    private readonly baselines: TrailBaselineService,
  ) {}

  // Before ':id' so the path is not taken for an id. Public: CloudFormation fetches it without a
  // key, and it holds nothing but what its query string says.
  @Get('template')
  @Public()
  @ApiOperation({ summary: 'The CloudFormation template for an ExternalId and ingestion modes (the launch URL points here)' })
  async template(@Req() req: Request, @ZodQuery(templateQuery) q: z.infer<typeof templateQuery>) {
    const modes = { polling: q.polling === 'true', s3: q.s3Bucket ? { bucket: q.s3Bucket, keyPrefix: q.s3Prefix ?? null } : null };
    return (await this.accounts.onboarding({ externalId: q.externalId, modes, region: 'us-east-1' }, baseUrl(req))).template;
  }

  @Post()
  @HttpCode(201)
  @MinRole('admin')
  @ApiOperation({ summary: 'Register an AWS account: ExternalId, CloudFormation template, launch URL, ingest token (shown once)' })
  @ApiJsonBody(createAccountBody)
  create(@CurrentTenant() tenantId: TenantId, @Req() req: Request, @ZodBody(createAccountBody) body: CreateAccountBody) {
    return this.accounts.create(tenantId, body, baseUrl(req));
  }

  @Get(':id/onboarding')
  @MinRole('admin')
  @ApiOperation({
    summary: "The account's ExternalId, CloudFormation template and a fresh launch URL (e.g. once a presigned template link expired)",
  })
  onboarding(@CurrentTenant() tenantId: TenantId, @Req() req: Request, @IdParam() id: string) {
    return this.accounts.onboardingOf(tenantId, id, baseUrl(req));
  }

  @Get()
  @ApiOperation({ summary: 'List AWS accounts' })
  list(@CurrentTenant() tenantId: TenantId, @ZodQuery(pageQuery) q: z.infer<typeof pageQuery>) {
    return this.accounts.list(tenantId, q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An AWS account with its ingestion health per region and source, and trail posture' })
  get(@CurrentTenant() tenantId: TenantId, @IdParam() id: string) {
    return this.accounts.get(tenantId, id);
  }

  @Patch(':id')
  @MinRole('admin')
  @ApiOperation({ summary: 'Rename, change regions or modes, or disable (verify again to re-enable)' })
  @ApiJsonBody(updateAccountBody)
  update(@CurrentTenant() tenantId: TenantId, @IdParam() id: string, @ZodBody(updateAccountBody) body: UpdateAccountBody) {
    return this.accounts.update(tenantId, id, body);
  }

  @Delete(':id')
  @MinRole('admin')
  @ApiOperation({ summary: 'Disconnect: stop ingestion and forget the role and ingest token (the account and its findings stay)' })
  disconnect(@CurrentTenant() tenantId: TenantId, @IdParam() id: string) {
    return this.accounts.disconnect(tenantId, id);
  }

  @Post(':id/verify')
  @HttpCode(200)
  @MinRole('admin')
  @ApiOperation({ summary: 'Assume the role with the ExternalId and check every permission; results per permission' })
  @ApiJsonBody(verifyBody)
  async verify(@CurrentTenant() tenantId: TenantId, @IdParam() id: string, @ZodBody(verifyBody) body: VerifyBody) {
    const view = await this.accounts.verify(tenantId, id, body);
    const account = await this.accounts.row(tenantId, id);
    if (account) await this.baselines.captureAfterVerification(tenantId, account);
    return view;
  }

  @Post(':id/trail-baseline')
  @HttpCode(200)
  @MinRole('admin')
  @ApiOperation({ summary: "Accept the trails' current configuration as the baseline that posture runs report drift from" })
  trailBaseline(@CurrentTenant() tenantId: TenantId, @CurrentPrincipal() principal: Principal, @IdParam() id: string) {
    return this.baselines.accept(tenantId, id, `api-key:${principal.keyId}`);
  }

  @Post(':id/sync')
  @HttpCode(202)
  @MinRole('analyst')
  @ApiOperation({ summary: 'Poll now: queue a poll of every enabled region (and the bucket)' })
  sync(@CurrentTenant() tenantId: TenantId, @IdParam() id: string) {
    return this.accounts.sync(tenantId, id);
  }

  @Post(':id/rotate-ingest-token')
  @HttpCode(200)
  @MinRole('admin')
  @ApiOperation({ summary: 'Replace the EventBridge ingest token; the new one is in the response once' })
  rotate(@CurrentTenant() tenantId: TenantId, @IdParam() id: string) {
    return this.accounts.rotateIngestToken(tenantId, id);
  }
}
