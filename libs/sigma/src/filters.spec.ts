import { parseSigma } from './document.parser';
import { compileRuleSet, logsourceCovers, type EngineOptions } from './rule-set';
import { errorOf } from './sigma-test.helpers';
import type { SigmaFilter } from './sigma.types';

// Filters as the Sigma filters specification (v2.1.0) and pySigma's SigmaFilter.apply_on_rule apply
// them: `(rule condition) and (filter condition)` on every rule the filter applies to.

const RULES = `title: Console login
id: 0b1c7e52-0000-4000-8000-000000000001
name: console_login
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName: ConsoleLogin
    condition: selection
level: medium
---
title: Any S3 call
id: 0b1c7e52-0000-4000-8000-000000000002
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventSource: s3.amazonaws.com
    condition: selection
level: low
`;
const LOGIN = '0b1c7e52-0000-4000-8000-000000000001';
const S3 = '0b1c7e52-0000-4000-8000-000000000002';

const login = (arn: string): object => ({
  eventName: 'ConsoleLogin',
  eventSource: 'signin.amazonaws.com',
  userIdentity: { arn, type: 'IAMUser' },
});
const admin = login('arn:aws:iam::1:user/adm_alice');
const user = login('arn:aws:iam::1:user/bob');

function filterDoc(condition: string, opts: { rules?: string[]; logsource?: string; extra?: string; selection?: string } = {}): string {
  const rules = (opts.rules ?? [LOGIN]).map((r) => `        - ${r}`).join('\n');
  return `title: Filter administrators
logsource: ${opts.logsource ?? '{product: aws}'}
filter:
    rules:
${rules}
    selection:
        ${opts.selection ?? "userIdentity.arn|contains: ':user/adm_'"}
${opts.extra ?? ''}    condition: ${condition}
`;
}

function ruleIds(filters: string[], event: object, rules = RULES, options: EngineOptions = {}): string[] {
  const docs = filters.flatMap((f) => parseSigma(f)) as SigmaFilter[];
  return compileRuleSet(parseSigma(rules), { ...options, filters: docs })
    .match(event)
    .map((m) => m.ruleId);
}

describe('a filter is ANDed onto the rule it names', () => {
  it.each([
    // [filter condition, event, rule still matches]
    ['not selection', admin, false],
    ['not selection', user, true],
    ['selection', admin, true],
    ['selection', user, false],
  ])('condition: %s on %o -> %s', (condition, event, kept) => {
    expect(ruleIds([filterDoc(condition)], event)).toEqual(kept ? [LOGIN] : []);
  });

  it('never makes a rule match an event the rule itself does not match', () => {
    const s3call = { eventSource: 's3.amazonaws.com', eventName: 'GetObject', userIdentity: { arn: 'arn:aws:iam::1:user/bob' } };
    expect(ruleIds([filterDoc('not selection')], s3call)).toEqual([S3]);
    expect(ruleIds([filterDoc('selection')], { eventName: 'Nothing', userIdentity: { arn: 'arn:aws:iam::1:user/adm_x' } })).toEqual([]);
  });

  it('applies to every condition of a rule with a list of conditions', () => {
    const rules = `title: Two conditions
id: r-two
logsource: {product: aws, service: cloudtrail}
detection:
    a:
        eventName: ConsoleLogin
    b:
        eventName: GetSessionToken
    condition:
        - a
        - b
`;
    const token = { eventName: 'GetSessionToken', userIdentity: { arn: 'arn:aws:iam::1:user/adm_alice' } };
    expect(ruleIds([filterDoc('not selection', { rules: ['r-two'] })], token, rules)).toEqual([]);
    expect(ruleIds([filterDoc('not selection', { rules: ['r-two'] })], admin, rules)).toEqual([]);
    expect(ruleIds([filterDoc('not selection', { rules: ['r-two'] })], user, rules)).toEqual(['r-two']);
  });
});

describe("a filter's identifiers live in their own namespace", () => {
  it("a filter's `selection` never clashes with the rule's `selection`", () => {
    // Both define `selection`; each condition reads its own.
    expect(ruleIds([filterDoc('not selection')], admin)).toEqual([]);
    expect(ruleIds([filterDoc('not selection')], user)).toEqual([LOGIN]);
  });

  it("`them` and patterns in the filter's condition mean the filter's identifiers", () => {
    const extra = "    service_role:\n        userIdentity.arn|contains: ':role/svc-'\n";
    const svc = login('arn:aws:iam::1:role/svc-deployer');
    for (const condition of ['not 1 of them', 'not 1 of s*']) {
      expect(ruleIds([filterDoc(condition, { extra })], admin)).toEqual([]);
      expect(ruleIds([filterDoc(condition, { extra })], svc)).toEqual([]);
      expect(ruleIds([filterDoc(condition, { extra })], user)).toEqual([LOGIN]);
    }
    // `all of them` over the filter's two identifiers, which no event satisfies together.
    expect(ruleIds([filterDoc('not all of them', { extra })], admin)).toEqual([LOGIN]);
  });

  it("the rule's `them` does not include the filter's identifiers", () => {
    const rules = `title: Any of them
id: r-them
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName: ConsoleLogin
    condition: 1 of them
`;
    // The filter holds for every event; were its `root` an identifier of the rule, `1 of them`
    // would match this root call.
    const filter = filterDoc('root or not root', {
      rules: ['r-them'],
      selection: 'userIdentity.arn|contains: x',
      extra: '    root:\n        userIdentity.type: Root\n',
    });
    expect(ruleIds([filter], { eventName: 'CreateUser', userIdentity: { type: 'Root' } }, rules)).toEqual([]);
    expect(ruleIds([filter], user, rules)).toEqual(['r-them']);
  });

  it('a filter condition naming an identifier of the rule is rejected', () => {
    expect(errorOf(() => parseSigma(filterDoc('not selection and not other')))).toMatchObject({ code: 'undefined_identifier' });
  });

  it('a filter has one condition string, not a list', () => {
    const text = filterDoc('x').replace('    condition: x\n', '    condition:\n        - selection\n');
    expect(errorOf(() => parseSigma(text))).toMatchObject({ code: 'invalid_condition' });
  });
});

describe('which rules a filter applies to', () => {
  it('names rules by id or by name', () => {
    expect(ruleIds([filterDoc('not selection', { rules: ['console_login'] })], admin)).toEqual([]);
    expect(ruleIds([filterDoc('not selection', { rules: [LOGIN] })], admin)).toEqual([]);
  });

  it.each([
    ['{product: aws}', true],
    ['{product: aws, service: cloudtrail}', true],
    ['{product: aws, service: s3}', false],
    ['{product: windows}', false],
    ['{category: process_creation, product: aws}', false],
  ])('logsource %s applies to an aws/cloudtrail rule: %s', (logsource, applies) => {
    expect(ruleIds([filterDoc('not selection', { logsource })], admin)).toEqual(applies ? [] : [LOGIN]);
  });

  it('warns about a named rule outside its logsource, an absent rule, and a correlation', () => {
    const corr = `${RULES}---
title: Many logins
id: c-many
correlation:
    type: event_count
    rules: [console_login]
    group-by: [userIdentity.arn]
    timespan: 1h
    condition: {gte: 5}
`;
    const docs = [
      ...parseSigma(corr),
      ...parseSigma(filterDoc('not selection', { rules: [LOGIN, 'missing-rule', 'c-many'], logsource: '{product: aws}' })),
    ];
    const outside = parseSigma(filterDoc('not selection', { logsource: '{product: aws, service: s3}' }));
    const rs = compileRuleSet([...docs, ...outside]);
    expect(rs.warnings).toEqual([
      'filter "Filter administrators" names "missing-rule", which is not a rule in this set',
      'filter "Filter administrators" names "c-many", a correlation; filters apply to detection rules only',
      `filter "Filter administrators" names "${LOGIN}", whose logsource is outside the filter's; it does not apply`,
    ]);
  });

  it('several filters on one rule all apply', () => {
    const noAdmins = filterDoc('not selection');
    const onlyEu = filterDoc('selection', { selection: 'awsRegion|startswith: eu-' });
    const inEu = (e: object): object => ({ ...e, awsRegion: 'eu-west-1' });
    expect(ruleIds([noAdmins, onlyEu], inEu(user))).toEqual([LOGIN]);
    expect(ruleIds([noAdmins, onlyEu], inEu(admin))).toEqual([]);
    expect(ruleIds([noAdmins, onlyEu], user)).toEqual([]);
  });

  it('OCSF field names work in filters as in rules', () => {
    const fieldAliases = { 'actor.user.uid': 'userIdentity.arn' };
    const ocsf = filterDoc('not selection', { selection: "actor.user.uid|contains: ':user/adm_'" });
    expect(ruleIds([ocsf], admin, RULES, { fieldAliases })).toEqual([]);
    expect(ruleIds([ocsf], user, RULES, { fieldAliases })).toEqual([LOGIN]);
  });

  it('placeholders in filters resolve through the same hook as rules', () => {
    const f = filterDoc('not selection', { selection: "userIdentity.arn|expand: '%Administrators%'" });
    const expand = (p: string): readonly string[] | undefined => (p === '%Administrators%' ? ['arn:aws:iam::1:user/adm_*'] : undefined);
    expect(ruleIds([f], admin, RULES, { expand })).toEqual([]);
    expect(ruleIds([f], user, RULES, { expand })).toEqual([LOGIN]);
    expect(errorOf(() => ruleIds([f], admin, RULES, { expand: () => undefined }))).toMatchObject({ code: 'unsupported_placeholder' });
  });
});

describe('logsourceCovers', () => {
  it.each([
    [{}, { product: 'aws', service: 'cloudtrail' }, true],
    [{ product: 'aws' }, { product: 'aws', service: 'cloudtrail' }, true],
    [{ product: 'aws', service: 'cloudtrail' }, { product: 'aws' }, false],
    [{ product: 'aws', definition: 'any text' }, { product: 'aws' }, true],
  ])('%o covers %o: %s', (filter, rule, expected) => {
    expect(logsourceCovers(filter, rule)).toBe(expected);
  });
});
