import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSigma } from './document.parser';
import { errorOf, ruleText } from './sigma-test.helpers';
import { SigmaError } from './sigma.errors';
import type { SigmaCorrelation, SigmaFilter, SigmaRule } from './sigma.types';
import { sharedPath } from '@trailguard/testing';

type ErrorCase = [name: string, text: string, code: string, line: number, column: number];

/** Rule texts are written out in full so the expected line and column can be read off them. */
const errorCases: ErrorCase[] = [
  ['malformed YAML (bad indentation)', 'title: x\nlogsource:\n  product: aws\n detection: {}\n', 'yaml_syntax', 4, 1],
  [
    'unclosed flow sequence',
    'title: x\nlogsource: {product: aws}\ndetection:\n    sel:\n        a: [1, 2\n    condition: sel\n',
    'yaml_syntax',
    6,
    5,
  ],
  ['duplicate key', 'title: x\ntitle: y\n', 'yaml_syntax', 2, 1],
  ['unknown modifier', ruleText('sel:\n    eventName|contians: x\ncondition: sel'), 'unknown_modifier', 7, 19],
  ['second unknown modifier in a chain', ruleText('sel:\n    a|contains|bogus: x\ncondition: sel'), 'unknown_modifier', 7, 20],
  ['contains with startswith', ruleText('sel:\n    a|contains|startswith: x\ncondition: sel'), 'invalid_modifier_combination', 7, 20],
  ['re with contains', ruleText("sel:\n    a|re|contains: 'x'\ncondition: sel"), 'invalid_modifier_combination', 7, 14],
  ['re sub-modifier without re', ruleText('sel:\n    a|i: x\ncondition: sel'), 'invalid_modifier_combination', 7, 11],
  ['exists with a string', ruleText('sel:\n    a|exists: yes\ncondition: sel'), 'invalid_value', 7, 19],
  ['exists with contains', ruleText('sel:\n    a|contains|exists: true\ncondition: sel'), 'invalid_modifier_combination', 7, 11],
  ['gt with a string', ruleText('sel:\n    a|gt: ten\ncondition: sel'), 'invalid_value', 7, 15],
  ['gt with lt', ruleText('sel:\n    a|gt|lt: 1\ncondition: sel'), 'invalid_modifier_combination', 7, 14],
  ['time part after the comparison', ruleText('sel:\n    t|gte|hour: 1\ncondition: sel'), 'invalid_modifier_combination', 7, 15],
  ['all with a single value', ruleText('sel:\n    a|contains|all: x\ncondition: sel'), 'invalid_modifier_combination', 7, 20],
  ['null inside a list', ruleText("sel:\n    a:\n        - ''\n        - null\ncondition: sel"), 'invalid_value', 9, 15],
  ['null with a modifier', ruleText('sel:\n    a|contains: null\ncondition: sel'), 'invalid_value', 7, 21],
  ['invalid regex', ruleText("sel:\n    a|re: '(unclosed'\ncondition: sel"), 'invalid_regex', 7, 15],
  ['invalid cidr', ruleText("sel:\n    a|cidr: '10.0.0.0/99'\ncondition: sel"), 'invalid_value', 7, 17],
  ['base64 of a wildcard', ruleText("sel:\n    a|contains|base64: 'x'\ncondition: sel"), 'invalid_modifier_combination', 7, 28],
  ['undefined identifier', ruleText('sel:\n    a: x\ncondition: sel and filter'), 'undefined_identifier', 8, 24],
  ['pattern matching nothing', ruleText('sel:\n    a: x\ncondition: sel and not 1 of filter_*'), 'undefined_identifier', 8, 33],
  ['v1 aggregation', ruleText('sel:\n    a: x\ncondition: sel | count() > 5'), 'v1_aggregation', 8, 20],
  ['v1 near', ruleText('sel:\n    a: x\nsel2:\n    b: y\ncondition: sel near sel2'), 'v1_aggregation', 10, 20],
  ['unbalanced parenthesis', ruleText('sel:\n    a: x\ncondition: (sel'), 'invalid_condition', 8, 20],
  ['dangling operator', ruleText('sel:\n    a: x\ncondition: sel and'), 'invalid_condition', 8, 23],
  ['"2 of" is not Sigma', ruleText('sel:\n    a: x\ncondition: 2 of sel'), 'invalid_condition', 8, 16],
  ['quoted condition keeps columns', ruleText("sel:\n    a: x\ncondition: 'sel or nope'"), 'undefined_identifier', 8, 24],
  ['missing condition', ruleText('sel:\n    a: x'), 'missing_field', 6, 5],
  ['missing title', 'logsource:\n    product: aws\ndetection:\n    sel:\n        a: 1\n    condition: sel\n', 'missing_field', 1, 1],
  ['missing logsource', 'title: t\ndetection:\n    sel:\n        a: 1\n    condition: sel\n', 'missing_field', 1, 1],
  ['missing detection', 'title: t\nlogsource:\n    product: aws\n', 'missing_field', 1, 1],
  [
    'bad level',
    'title: t\nlevel: severe\nlogsource:\n    product: aws\ndetection:\n    sel:\n        a: 1\n    condition: sel\n',
    'invalid_field',
    2,
    8,
  ],
  ['map as a field value', ruleText('sel:\n    a:\n        b: 1\ncondition: sel'), 'invalid_value', 8, 13],
  [
    'correlation without timespan',
    'title: c\ncorrelation:\n    type: event_count\n    rules: [r]\n    condition:\n        gte: 2\n',
    'missing_field',
    3,
    5,
  ],
  [
    'correlation with a bad timespan',
    'title: c\ncorrelation:\n    type: temporal\n    rules: [r]\n    timespan: 5 minutes\n',
    'invalid_field',
    5,
    15,
  ],
  [
    'value_count without field',
    'title: c\ncorrelation:\n    type: value_count\n    rules: [r]\n    timespan: 5m\n    condition:\n        gte: 2\n',
    'missing_field',
    7,
    9,
  ],
  [
    'unsupported correlation type',
    'title: c\ncorrelation:\n    type: value_sum\n    rules: [r]\n    timespan: 5m\n',
    'unsupported_correlation_type',
    3,
    11,
  ],
  [
    'filter without rules',
    'title: f\nlogsource:\n    product: aws\nfilter:\n    sel:\n        a: 1\n    condition: sel\n',
    'missing_field',
    5,
    5,
  ],
  [
    'error in the second document',
    `${ruleText('sel:\n    a: x\ncondition: sel')}---\n${ruleText('sel:\n    a|nope: x\ncondition: sel')}`,
    'unknown_modifier',
    16,
    11,
  ],
];

describe('parseSigma rejects invalid rules with a position', () => {
  it.each(errorCases)('%s', (_name, text, code, line, column) => {
    const err = errorOf(() => parseSigma(text, 'rule.yml'));
    expect(err).toBeInstanceOf(SigmaError);
    expect({ code: err.code, line: err.line, column: err.column }).toEqual({ code, line, column });
    expect(err.message.startsWith(`rule.yml:${line}:${column}: `)).toBe(true);
  });
});

describe('parseSigma reads every field', () => {
  it('parses a full rule', () => {
    const text = `title: Full rule
id: 929a690e-bef0-4204-a928-ef5e620d6fcc
name: full_rule
related:
    - id: 08fbc97d-0a2f-491c-ae21-8ffcfd3174e9
      type: derived
taxonomy: sigma
status: experimental
description: A rule using every field
license: DRL-1.1
references:
    - https://example.com/a
author: Someone
date: 2024-01-02
modified: 2024-02-03
logsource:
    product: aws
    service: cloudtrail
    definition: CloudTrail management events
detection:
    sel:
        eventName: UpdateTrail
    condition: sel
fields:
    - userIdentity.arn
falsepositives:
    - Admins
level: high
tags:
    - attack.t1562.008
scope:
    - server
custom_key: kept
`;
    const [rule] = parseSigma(text) as [SigmaRule];
    expect(rule).toMatchObject({
      kind: 'rule',
      id: '929a690e-bef0-4204-a928-ef5e620d6fcc',
      name: 'full_rule',
      related: [{ id: '08fbc97d-0a2f-491c-ae21-8ffcfd3174e9', type: 'derived' }],
      taxonomy: 'sigma',
      status: 'experimental',
      license: 'DRL-1.1',
      references: ['https://example.com/a'],
      author: 'Someone',
      date: '2024-01-02',
      modified: '2024-02-03',
      logsource: { product: 'aws', service: 'cloudtrail', definition: 'CloudTrail management events' },
      fields: ['userIdentity.arn'],
      falsepositives: ['Admins'],
      level: 'high',
      tags: ['attack.t1562.008'],
      scope: ['server'],
      custom: { custom_key: 'kept' },
    });
    expect([...rule.detection.identifiers.keys()]).toEqual(['sel']);
    expect(rule.detection.conditions[0]).toEqual({ kind: 'identifier', name: 'sel', pos: { line: 23, column: 16 } });
  });

  it('parses multi-document files into rules, filters and correlations', () => {
    const text = `title: base
name: base_rule
logsource: {product: aws}
detection:
    sel: {eventName: ConsoleLogin}
    condition: sel
---
title: many logins
correlation:
    type: event_count
    rules: base_rule
    group-by: [userIdentity.arn]
    timespan: 1h
    condition: {gte: 3}
---
title: quiet admins
logsource: {product: aws}
filter:
    rules: [base_rule]
    sel: {userIdentity.type: Root}
    condition: sel
---
`;
    const docs = parseSigma(text);
    expect(docs.map((d) => d.kind)).toEqual(['rule', 'correlation', 'filter']);
    const corr = docs[1] as SigmaCorrelation;
    expect(corr.correlation).toMatchObject({
      type: 'event_count',
      rules: ['base_rule'],
      groupBy: ['userIdentity.arn'],
      timespanMs: 3_600_000,
      condition: { gte: 3 },
    });
    expect((docs[2] as SigmaFilter).rules).toEqual(['base_rule']);
  });
});

describe('SigmaHQ v1 aggregation rules are rejected', () => {
  const dir = sharedPath('rules/sigmahq-extra/unsupported/cloud');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yml'));
  it('there are 8 of them', () => expect(files).toHaveLength(8));
  it.each(files)('%s', (file) => {
    const err = errorOf(() => parseSigma(readFileSync(join(dir, file), 'utf8'), file));
    expect(err.code).toBe('v1_aggregation');
    expect(err.line).toBeGreaterThan(1);
  });
});
