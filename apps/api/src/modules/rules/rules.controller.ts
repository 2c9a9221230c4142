import { applyDecorators, Controller, Delete, Get, HttpCode, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TenantId } from '@trailguard/db';
import { CurrentPrincipal, CurrentTenant, MinRole, type Principal } from '../../common/auth';
import { IdParam } from '../../common/id-param';
import { ApiJsonBody } from '../../common/openapi';
import { ZodBody, ZodQuery } from '../../common/zod-body';
import { RuleBody, type RuleInput } from './rule-body.decorator';
import { listRulesQuery, patchRuleBody, testRuleBody, type ListRulesQuery, type PatchRuleBody, type TestRuleBody } from './rules.dto';
import { RulesService } from './rules.service';

const YamlRuleBody = () =>
  applyDecorators(
    ApiConsumes('application/yaml', 'application/json'),
    ApiBody({ description: 'Sigma rule YAML, or JSON { yaml, enabled? }' }),
  );

@ApiTags('rules')
@ApiBearerAuth()
@Controller('v1/rules')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Get()
  @ApiOperation({ summary: 'Built-in and custom rules with their state for this tenant' })
  list(@CurrentTenant() tenantId: TenantId, @ZodQuery(listRulesQuery) q: ListRulesQuery) {
    return this.rules.list(tenantId, q);
  }

  @Post('test')
  @HttpCode(200)
  @MinRole('analyst')
  @ApiOperation({ summary: 'Run a rule (YAML or id) over sample events and return the matches' })
  @ApiJsonBody(testRuleBody)
  test(@CurrentTenant() tenantId: TenantId, @ZodBody(testRuleBody) body: TestRuleBody) {
    return this.rules.test(tenantId, body);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a custom Sigma rule' })
  @YamlRuleBody()
  create(@CurrentPrincipal() p: Principal, @RuleBody() body: RuleInput) {
    return this.rules.create(p.tenantId, body, p.keyId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One rule with its YAML' })
  get(@CurrentTenant() tenantId: TenantId, @IdParam() id: string) {
    return this.rules.get(tenantId, id);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a custom rule' })
  @YamlRuleBody()
  replace(@CurrentTenant() tenantId: TenantId, @IdParam() id: string, @RuleBody() body: RuleInput) {
    return this.rules.replace(tenantId, id, body);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Enable, disable, override the level of, or turn alerting on or off for any rule' })
  @ApiJsonBody(patchRuleBody)
  patch(@CurrentTenant() tenantId: TenantId, @IdParam() id: string, @ZodBody(patchRuleBody) body: PatchRuleBody) {
    return this.rules.patch(tenantId, id, body);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a custom rule' })
  remove(@CurrentTenant() tenantId: TenantId, @IdParam() id: string) {
    return this.rules.remove(tenantId, id);
  }
}
