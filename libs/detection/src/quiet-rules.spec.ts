import { loadBuiltinRules } from '@trailguard/sigma';
import { isAlertingRule, QUIET_BY_DEFAULT } from './quiet-rules';
import { buildTenantRuleSet } from './tenant-rule-set';

const ASSUME_ROLE_MISUSE = '905d389b-b853-46d0-9d3d-dea0d3a3cd49';
const UPDATE_TRAIL_MULTI_REGION = 'f8caffc2-4021-4ca4-85bc-b7f38a4c9e20';

describe('quiet-by-default rules', () => {
  const builtin = loadBuiltinRules();

  it('are shipped SigmaHQ rules of level low, named by their real titles', () => {
    for (const [id, title] of QUIET_BY_DEFAULT) {
      const doc = builtin.find((d) => d.id === id);
      expect(doc && { title: doc.title, level: doc.kind === 'rule' ? doc.level : undefined, source: doc.source?.split('/')[0] }).toEqual({
        title,
        level: 'low',
        source: 'sigmahq',
      });
    }
  });

  it('alert unless the tenant chose otherwise; every other rule alerts by default', () => {
    expect(isAlertingRule(ASSUME_ROLE_MISUSE, undefined)).toBe(false);
    expect(isAlertingRule(ASSUME_ROLE_MISUSE, null)).toBe(false);
    expect(isAlertingRule(ASSUME_ROLE_MISUSE, true)).toBe(true);
    expect(isAlertingRule(UPDATE_TRAIL_MULTI_REGION, null)).toBe(true);
    expect(isAlertingRule(UPDATE_TRAIL_MULTI_REGION, false)).toBe(false);
  });

  it("reach a tenant's rule set through its settings", () => {
    const settings = new Map([
      [ASSUME_ROLE_MISUSE, { enabled: true, levelOverride: null, alerting: true }],
      [UPDATE_TRAIL_MULTI_REGION, { enabled: true, levelOverride: null, alerting: false }],
    ]);
    const tenant = buildTenantRuleSet({ builtin, custom: [], settings, administrators: [] });
    const plain = buildTenantRuleSet({ builtin, custom: [], settings: new Map(), administrators: [] });
    expect([tenant.isAlerting(ASSUME_ROLE_MISUSE), tenant.isAlerting(UPDATE_TRAIL_MULTI_REGION)]).toEqual([true, false]);
    expect([plain.isAlerting(ASSUME_ROLE_MISUSE), plain.isAlerting(UPDATE_TRAIL_MULTI_REGION)]).toEqual([false, true]);
    expect(plain.isEnabled(ASSUME_ROLE_MISUSE)).toBe(true);
  });
});
