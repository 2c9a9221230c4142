import { loadBuiltinRules, parseSigma } from '@trailguard/sigma';
import { findAllowlistEntry } from './allowlist';
import { actorKey, severityOf, windowStartOf } from './finding-key';
import { buildTenantRuleSet } from './tenant-rule-set';

const role = 'arn:aws:iam::111122223333:role/Admin';
const session = 'arn:aws:sts::111122223333:assumed-role/Admin/alice';
const assumed = {
  userIdentity: { type: 'AssumedRole', arn: session, sessionContext: { sessionIssuer: { type: 'Role', arn: role } } },
};

describe('findAllowlistEntry', () => {
  const now = new Date('2026-11-29T12:00:00Z');
  const entry = (over: Partial<{ principalPattern: string; ruleIds: string[]; expiresAt: Date | null }>) => ({
    id: 'e1',
    principalPattern: role,
    ruleIds: [] as string[],
    expiresAt: null as Date | null,
    ...over,
  });

  it.each([
    ['the role that issued an assumed-role session', entry({}), true],
    ['the session ARN itself', entry({ principalPattern: session }), true],
    ['a wildcard over role names', entry({ principalPattern: 'arn:aws:iam::111122223333:role/Adm*' }), true],
    ['a wildcard that is anchored', entry({ principalPattern: 'role/Admin' }), false],
    ['another account', entry({ principalPattern: 'arn:aws:iam::999999999999:role/Admin' }), false],
    ['a rule scope that includes the rule', entry({ ruleIds: ['r1'] }), true],
    ['a rule scope that excludes the rule', entry({ ruleIds: ['r2'] }), false],
    ['an expired entry', entry({ expiresAt: new Date('2026-11-29T11:59:59Z') }), false],
    ['an entry expiring later', entry({ expiresAt: new Date('2026-11-30T00:00:00Z') }), true],
  ])('%s', (_name, e, covered) => {
    const actor = { arn: session, roleArn: role };
    expect(findAllowlistEntry([e], actor, 'r1', now) !== undefined).toBe(covered);
  });

  it('treats regex metacharacters in patterns literally', () => {
    const e = entry({ principalPattern: 'arn:aws:iam::1.1:user/a+b' });
    expect(findAllowlistEntry([e], { arn: 'arn:aws:iam::1.1:user/a+b' }, 'r', now)).toBeDefined();
    expect(findAllowlistEntry([e], { arn: 'arn:aws:iam::1x1:user/aab' }, 'r', now)).toBeUndefined();
  });

  it('covers nobody when the record has no identity', () => {
    expect(findAllowlistEntry([entry({ principalPattern: '*' })], {}, 'r', now)).toBeUndefined();
  });
});

describe('finding keys', () => {
  it('aggregates assumed-role sessions under their role', () => {
    expect(actorKey(assumed)).toBe(role);
    expect(actorKey({ userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::1:user/bob' } })).toBe('arn:aws:iam::1:user/bob');
    expect(actorKey({ userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' } })).toBe(
      'AWSService:cloudtrail.amazonaws.com',
    );
    expect(actorKey({})).toBe('unknown');
  });

  it('aligns windows to the epoch', () => {
    expect(windowStartOf(new Date('2026-11-29T12:34:56Z'), 3600).toISOString()).toBe('2026-11-29T12:00:00.000Z');
  });

  it('maps Sigma levels to severities, overrides first', () => {
    expect(severityOf('high')).toBe('high');
    expect(severityOf('High')).toBe('high');
    expect(severityOf('unknown')).toBe('medium');
    expect(severityOf('low', 'critical')).toBe('critical');
  });
});

describe('buildTenantRuleSet', () => {
  const updateTrail = {
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'UpdateTrail',
    eventID: 'e-1',
    requestParameters: { name: 't', isMultiRegionTrail: false },
    ...assumed,
  };

  it('runs the built-in library and reports the seed rules for UpdateTrail', () => {
    const t = buildTenantRuleSet({ builtin: loadBuiltinRules(), custom: [], settings: new Map(), administrators: [] });
    const titles = t.ruleSet.match(updateTrail).map((m) => m.ruleTitle);
    expect(titles).toEqual(expect.arrayContaining(['AWS CloudTrail UpdateTrail', 'AWS CloudTrail UpdateTrail with multi-region disabled']));
  });

  it('expands %Administrators% to the allowlist patterns', () => {
    const custom = parseSigma(`
title: Trail change by a non-admin
id: 6f3c1d9e-1111-4a6b-9a57-8f1f5c0d7e01
logsource: { product: aws, service: cloudtrail }
detection:
  selection: { eventName: UpdateTrail }
  admins: { userIdentity.sessionContext.sessionIssuer.arn|expand: '%Administrators%' }
  condition: selection and not admins
level: high
`);
    const withAdmin = buildTenantRuleSet({ builtin: [], custom, settings: new Map(), administrators: [role] });
    const without = buildTenantRuleSet({ builtin: [], custom, settings: new Map(), administrators: [] });
    expect(withAdmin.ruleSet.match(updateTrail)).toHaveLength(0);
    expect(without.ruleSet.match(updateTrail)).toHaveLength(1);
  });

  it('compiles tenant filters with the rules (ANDed on, OCSF names) and rejects placeholders other than %Administrators%', () => {
    const custom = parseSigma(`
title: Trail change
id: 6f3c1d9e-1111-4a6b-9a57-8f1f5c0d7e02
logsource: { product: aws, service: cloudtrail }
detection:
  selection: { eventName: UpdateTrail }
  condition: selection
---
title: Not by admins
id: 6f3c1d9e-1111-4a6b-9a57-8f1f5c0d7e03
logsource: { product: aws }
filter:
  rules: [6f3c1d9e-1111-4a6b-9a57-8f1f5c0d7e02]
  selection: { actor.session.issuer|expand: '%Administrators%' }
  condition: not selection
`);
    expect(
      buildTenantRuleSet({ builtin: [], custom, settings: new Map(), administrators: [role] }).ruleSet.match(updateTrail),
    ).toHaveLength(0);
    expect(buildTenantRuleSet({ builtin: [], custom, settings: new Map(), administrators: [] }).ruleSet.match(updateTrail)).toHaveLength(1);
    const other = parseSigma(`
title: Unknown placeholder
id: 6f3c1d9e-1111-4a6b-9a57-8f1f5c0d7e04
logsource: { product: aws }
detection:
  selection: { userIdentity.arn|expand: '%Operators%' }
  condition: selection
`);
    expect(() => buildTenantRuleSet({ builtin: [], custom: other, settings: new Map(), administrators: [] })).toThrow(
      /%Operators% is not resolved/,
    );
  });

  it('knows which rules are disabled and overridden', () => {
    const t = buildTenantRuleSet({
      builtin: [],
      custom: [],
      settings: new Map([['r1', { enabled: false, levelOverride: 'low' as const }]]),
      administrators: [],
    });
    expect(t.isEnabled('r1')).toBe(false);
    expect(t.isEnabled('r2')).toBe(true);
    expect(t.levelOverride('r1')).toBe('low');
  });
});

describe('allowlist patterns are tenant text: matching stays linear', () => {
  it('answers a many-star pattern against a long uploader-chosen ARN', () => {
    const e = {
      id: 'x',
      principalPattern: `arn:${'*a'.repeat(30)}*b`,
      ruleIds: [],
      expiresAt: null,
    };
    const arn = `arn:${'a'.repeat(4000)}`;
    for (let i = 0; i < 10_000; i++) {
      if (findAllowlistEntry([e], { arn: arn.slice(0, 40 + (i % 100)) }, 'r', new Date())) throw new Error('should not match');
    }
    expect(findAllowlistEntry([e], { arn: `${arn}b` }, 'r', new Date())).toBe(e);
  }, 30_000);
});
