import type { TenantScope } from '../database';
import type { CustomRule, RuleSetting, Severity } from '../generated/client';

export class RulesRepository {
  listCustom(scope: TenantScope): Promise<CustomRule[]> {
    return scope.tx.customRule.findMany({ where: { tenantId: scope.tenantId }, orderBy: { createdAt: 'asc' } });
  }

  getCustom(scope: TenantScope, ruleId: string): Promise<CustomRule | null> {
    return scope.tx.customRule.findUnique({ where: { tenantId_ruleId: { tenantId: scope.tenantId, ruleId } } });
  }

  createCustom(
    scope: TenantScope,
    data: { ruleId: string; kind?: 'rule' | 'filter'; title: string; level: string | null; yaml: string; createdBy?: string },
  ): Promise<CustomRule> {
    return scope.tx.customRule.create({ data: { ...data, tenantId: scope.tenantId } });
  }

  updateCustom(
    scope: TenantScope,
    ruleId: string,
    data: { kind?: 'rule' | 'filter'; title: string; level: string | null; yaml: string },
  ): Promise<CustomRule> {
    return scope.tx.customRule.update({ where: { tenantId_ruleId: { tenantId: scope.tenantId, ruleId } }, data });
  }

  async deleteCustom(scope: TenantScope, ruleId: string): Promise<boolean> {
    const r = await scope.tx.customRule.deleteMany({ where: { tenantId: scope.tenantId, ruleId } });
    await scope.tx.ruleSetting.deleteMany({ where: { tenantId: scope.tenantId, ruleId } });
    return r.count > 0;
  }

  listSettings(scope: TenantScope): Promise<RuleSetting[]> {
    return scope.tx.ruleSetting.findMany({ where: { tenantId: scope.tenantId } });
  }

  upsertSetting(
    scope: TenantScope,
    ruleId: string,
    data: { enabled?: boolean; levelOverride?: Severity | null; alerting?: boolean | null },
  ): Promise<RuleSetting> {
    return scope.tx.ruleSetting.upsert({
      where: { tenantId_ruleId: { tenantId: scope.tenantId, ruleId } },
      create: {
        tenantId: scope.tenantId,
        ruleId,
        enabled: data.enabled ?? true,
        levelOverride: data.levelOverride ?? null,
        alerting: data.alerting ?? null,
      },
      update: data,
    });
  }
}
