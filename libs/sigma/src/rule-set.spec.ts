import { parseSigma } from './document.parser';
import { compileRuleSet } from './rule-set';
import { errorOf, matches, ruleSetFor } from './sigma-test.helpers';
import type { SigmaFilter } from './sigma.types';

const rules = `title: Trail changed
id: rule-trail
name: trail_changed
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        eventSource: cloudtrail.amazonaws.com
        eventName: [UpdateTrail, StopLogging]
    condition: sel
level: medium
author: Tester
tags: [attack.t1562.008, attack.defense-evasion]
---
title: Root activity
id: rule-root
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        userIdentity.type: Root
    condition: sel
level: high
---
title: S3 anything
id: rule-s3
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        eventSource: s3.amazonaws.com
    condition: sel
`;

const update = {
  eventSource: 'cloudtrail.amazonaws.com',
  eventName: 'UpdateTrail',
  userIdentity: { type: 'Root', arn: 'arn:aws:iam::1:root' },
};

describe('RuleSet.match', () => {
  it('returns the matching rules in rule order with their metadata', () => {
    const rs = compileRuleSet(parseSigma(rules));
    expect(rs.match(update)).toEqual([
      {
        ruleId: 'rule-trail',
        ruleTitle: 'Trail changed',
        level: 'medium',
        tags: expect.arrayContaining(['attack.t1562.008', 'attack.t1685.002', 'attack.defense-evasion', 'attack.defense-impairment']),
        report: true,
        author: 'Tester',
      },
      { ruleId: 'rule-root', ruleTitle: 'Root activity', level: 'high', tags: [], report: true },
    ]);
    expect(rs.match({ eventSource: 'S3.amazonaws.com', eventName: 'GetObject' }).map((m) => m.ruleId)).toEqual(['rule-s3']);
    expect(rs.match({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances' })).toEqual([]);
  });

  it('indexes by eventName case-insensitively and still evaluates rules without literals', () => {
    const rs = compileRuleSet(parseSigma(rules));
    expect(rs.match({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'updatetrail' }).map((m) => m.ruleId)).toEqual(['rule-trail']);
    expect(rs.match({ userIdentity: { type: 'Root' } }).map((m) => m.ruleId)).toEqual(['rule-root']);
    // Odd shapes fall back to evaluating every rule.
    expect(rs.match({ eventName: ['UpdateTrail'], eventSource: 'cloudtrail.amazonaws.com' }).map((m) => m.ruleId)).toEqual(['rule-trail']);
  });

  it('does not index rules whose eventName test can hold without a literal', () => {
    const detection = 'sel:\n    eventName|startswith: Update\nnot_this:\n    eventName: UpdateTrail\ncondition: sel and not not_this';
    expect(matches(detection, { eventName: 'UpdateFunctionConfiguration' })).toBe(true);
    expect(matches(detection, { eventName: 'UpdateTrail' })).toBe(false);
    expect(matches('a:\n    eventName: X\nb:\n    userName: bob\ncondition: a or b', { eventName: 'Y', userName: 'bob' })).toBe(true);
  });

  it('exposes RuleInfo with old and new ATT&CK ids', () => {
    const rs = compileRuleSet(parseSigma(rules));
    expect(rs.rules[0]).toMatchObject({
      id: 'rule-trail',
      title: 'Trail changed',
      level: 'medium',
      author: 'Tester',
      kind: 'rule',
      name: 'trail_changed',
    });
    expect(rs.rules[0]!.tags).toEqual(expect.arrayContaining(['attack.t1685.002', 'attack.defense-impairment']));
    expect(rs.hasCorrelations).toBe(false);
  });

  it('rejects two documents with the same id', () => {
    const err = errorOf(() => compileRuleSet([...parseSigma(rules), ...parseSigma(rules)]));
    expect(err.code).toBe('duplicate_rule');
  });
});

describe('OCSF field aliases', () => {
  const fieldAliases = {
    'api.operation': 'eventName',
    'api.service.name': 'eventSource',
    'api.request.data': 'requestParameters',
    'actor.user.uid': 'userIdentity.arn',
  };
  const event = {
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'UpdateTrail',
    requestParameters: { isMultiRegionTrail: false },
    userIdentity: { arn: 'arn:aws:iam::1:user/eve' },
  };
  it.each([
    ['api.operation: UpdateTrail', true],
    ['api.operation: DeleteTrail', false],
    ['api.service.name: cloudtrail.amazonaws.com', true],
    ['api.request.data.isMultiRegionTrail: false', true],
    ["actor.user.uid|endswith: '/eve'", true],
    ['eventName: UpdateTrail', true],
  ])('%s -> %s', (selection, expected) => {
    expect(matches(`sel:\n    ${selection}\ncondition: sel`, event, { fieldAliases })).toBe(expected);
  });
  it('aliased eventName literals still go through the index', () => {
    const rs = ruleSetFor('sel:\n    api.operation: UpdateTrail\ncondition: sel', { fieldAliases });
    expect(rs.match(event)).toHaveLength(1);
    expect(rs.match({ ...event, eventName: 'StopLogging' })).toHaveLength(0);
  });
});

describe('expand placeholders', () => {
  const detection =
    "sel:\n    eventName: ConsoleLogin\nfilter_admins:\n    userIdentity.arn|expand: '%Administrators%'\ncondition: sel and not filter_admins";
  const login = (arn: string): object => ({ eventName: 'ConsoleLogin', userIdentity: { arn } });
  const expand = (p: string): readonly string[] | undefined =>
    p === '%Administrators%' ? ['arn:aws:iam::1:user/admin-*', 'arn:aws:iam::1:role/Break?Glass'] : undefined;

  it('uses the hook values as patterns', () => {
    const rs = ruleSetFor(detection, { expand });
    expect(rs.match(login('arn:aws:iam::1:user/admin-alice'))).toHaveLength(0);
    expect(rs.match(login('arn:aws:iam::1:role/BreakXGlass'))).toHaveLength(0);
    expect(rs.match(login('arn:aws:iam::1:user/mallory'))).toHaveLength(1);
  });
  it('a placeholder the hook does not know rejects the rule (rules specification)', () => {
    const known = (p: string): readonly string[] | undefined => (p === '%Administrators%' ? [] : undefined);
    expect(errorOf(() => ruleSetFor("sel:\n    a|expand: '%Nope%'\ncondition: sel", { expand: known }))).toMatchObject({
      code: 'unsupported_placeholder',
      line: 7,
    });
  });
  it('a known placeholder with no values matches nothing', () => {
    expect(matches("sel:\n    a|expand: '%Administrators%'\ncondition: sel", { a: '%Administrators%' }, { expand: () => [] })).toBe(false);
  });
  it('keeps text around the placeholder and \\% as a plain percent', () => {
    const hook = (): readonly string[] => ['x', 'y'];
    expect(matches("sel:\n    a|expand: 'pre-%P%-post'\ncondition: sel", { a: 'pre-y-post' }, { expand: hook })).toBe(true);
    expect(matches("sel:\n    a|expand: '\\%plain%P%'\ncondition: sel", { a: '%plainx' }, { expand: hook })).toBe(true);
  });
  it('without |expand a %name% value is literal', () => {
    expect(matches("sel:\n    a: '%Administrators%'\ncondition: sel", { a: '%Administrators%' })).toBe(true);
  });
  it('without an expand hook the rule is rejected', () => {
    expect(errorOf(() => ruleSetFor(detection)).code).toBe('unsupported_placeholder');
  });
});

describe('meta filters (details in filters.spec.ts)', () => {
  const filterText = `title: Ignore automation
logsource: {product: aws, service: cloudtrail}
filter:
    rules:
        - rule-trail
        - nonexistent-rule
    selection:
        userIdentity.arn|startswith: 'arn:aws:iam::1:role/automation'
    condition: not selection
`;
  const byName = filterText.replace('- rule-trail', '- trail_changed');
  const automation = { ...update, userIdentity: { type: 'AssumedRole', arn: 'arn:aws:iam::1:role/automation-deployer' } };

  it('ANDs the filter condition onto the rules it names (by id); unknown names are warnings', () => {
    const rs = compileRuleSet(parseSigma(rules), { filters: parseSigma(filterText) as SigmaFilter[] });
    expect(rs.match(automation)).toEqual([]);
    expect(rs.match(update).map((m) => m.ruleId)).toEqual(['rule-trail', 'rule-root']);
    expect(rs.warnings).toEqual(['filter "Ignore automation" names "nonexistent-rule", which is not a rule in this set']);
  });
  it('refers to rules by name and may sit in the same file', () => {
    const rs = compileRuleSet([...parseSigma(rules), ...parseSigma(byName)]);
    expect(rs.match(automation)).toEqual([]);
  });
  it('leaves rules it does not name alone', () => {
    const rs = compileRuleSet(parseSigma(rules), { filters: parseSigma(filterText) as SigmaFilter[] });
    expect(rs.match({ ...automation, userIdentity: { type: 'Root', arn: 'arn:aws:iam::1:role/automation' } }).map((m) => m.ruleId)).toEqual(
      ['rule-root'],
    );
  });
});
