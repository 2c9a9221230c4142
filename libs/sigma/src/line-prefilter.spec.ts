import { readFileSync } from 'node:fs';
import { sharedPath } from '@trailguard/testing';
import { loadBuiltinRules } from './builtin-rules';
import { parseSigma } from './document.parser';
import { rawLiterals } from './line-prefilter';
import { compileRuleSet, type RuleSet } from './rule-set';
import type { SigmaRule } from './sigma.types';

const RULES = `title: Trail changed
id: r-trail
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        eventSource: cloudtrail.amazonaws.com
        eventName: UpdateTrail
    condition: sel
---
title: Root activity
id: r-root
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        userIdentity.type: Root
    condition: sel
`;

const ruleSet = compileRuleSet(parseSigma(RULES));
const mayMatch = (line: string): boolean => ruleSet.linePrefilter!(Buffer.from(line, 'utf8'), line);
const user = '{"type":"IAMUser","arn":"arn:aws:iam::1:user/bob"}';

describe('linePrefilter: a line is dropped unparsed only when no rule can match it', () => {
  it.each([
    ['an unindexed call by a user', `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":${user}}`, false],
    ['spaces around the colon', `{"eventSource" : "s3.amazonaws.com", "eventName": "GetObject", "userIdentity": ${user}}`, false],
    ['an indexed call', `{"eventSource":"cloudtrail.amazonaws.com","eventName":"UpdateTrail","userIdentity":${user}}`, true],
    ['indexed, in another case', `{"eventSource":"CLOUDTRAIL.amazonaws.com","eventName":"updatetrail","userIdentity":${user}}`, true],
    [
      'a literal of an always-tried rule',
      `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"Root"}}`,
      true,
    ],
    ['the literal in another case', `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"rOOT"}}`, true],
    [
      'the literal only inside a longer value',
      `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"Rooted"}}`,
      false,
    ],
    [
      'a duplicate key (JSON.parse keeps the last)',
      `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventName":"UpdateTrail","eventSource":"cloudtrail.amazonaws.com"}`,
      true,
    ],
    ['an escape that could hide a key', `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","event\\u004eame":"UpdateTrail"}`, true],
    [
      'an escape that could hide a literal',
      `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"R\\u006fot"}}`,
      true,
    ],
    ['non-ASCII text', `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","userAgent":"é"}`, true],
    ['a missing eventName', `{"eventSource":"s3.amazonaws.com","userIdentity":${user}}`, true],
    ['a non-string eventName', `{"eventSource":"s3.amazonaws.com","eventName":5}`, true],
    [
      'two records on one line',
      `{"Records":[{"eventSource":"s3.amazonaws.com","eventName":"GetObject"},{"eventSource":"cloudtrail.amazonaws.com","eventName":"UpdateTrail"}]}`,
      true,
    ],
    [
      'one record of a log file on one line',
      `{"Records":[{"eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":${user}}]}`,
      false,
    ],
    [
      'an EventBridge envelope',
      `{"detail-type":"AWS API Call via CloudTrail","detail":{"eventSource":"s3.amazonaws.com","eventName":"GetObject"}}`,
      false,
    ],
    ['the key as a value', `{"eventSource":"s3.amazonaws.com","x":"eventName","eventName":"GetObject"}`, true],
    ['not CloudTrail at all', 'root:x:0:0:root:/root:/bin/bash', true],
  ])('%s -> may match: %s', (_what, line, expected) => {
    expect(mayMatch(line)).toBe(expected);
  });

  it('is absent when an always-tried rule needs no literal (a negation, an exists test)', () => {
    const text = RULES.replace('userIdentity.type: Root', 'userIdentity.type|exists: true');
    expect(compileRuleSet(parseSigma(text)).linePrefilter).toBeUndefined();
    const negated = RULES.replace('condition: sel\n`', 'condition: not sel\n`').replace(/condition: sel\n$/, 'condition: not sel\n');
    expect(compileRuleSet(parseSigma(negated)).linePrefilter).toBeUndefined();
  });
});

describe('rawLiterals', () => {
  const literalsOf = (detection: string): string[] | undefined => {
    const doc = parseSigma(`title: t\nlogsource: {product: aws}\ndetection:\n${detection.replace(/^/gm, '    ')}\n`)[0] as SigmaRule;
    const set = rawLiterals(doc.detection);
    return set && [...set].sort();
  };
  it.each([
    ['sel:\n    userAgent: TruffleHog\ncondition: sel', ['"trufflehog"']],
    ['sel:\n    userAgent|startswith: TruffleHog\ncondition: sel', ['"trufflehog']],
    ["sel:\n    userAgent: '*TruffleHog'\ncondition: sel", ['trufflehog"']],
    ['sel:\n    flag: "true"\ncondition: sel', ['true']],
    ['sel:\n    flag|startswith: "fal"\ncondition: sel', ['fal']],
    ['sel:\n    userAgent|contains: [aws-cli, Boto3]\ncondition: sel', ['aws-cli', 'boto3']],
    ["sel:\n    userIdentity.arn|re: '.+:assumed-role/aws:.+'\ncondition: sel", ['assumed-role/aws']],
    ['a:\n    x: Root\nb:\n    y: AssumedRole\ncondition: a and b', ['"assumedrole"']],
    ['a:\n    x: Root\nb:\n    y: AssumedRole\ncondition: a or b', ['"assumedrole"', '"root"']],
    ['sel:\n    - keyword-here\ncondition: sel', ['keyword-here']],
    ['sel:\n    code: 403\ncondition: sel', undefined],
    ['sel:\n    x: "1e5"\ncondition: sel', undefined],
    ['sel:\n    x|base64: abc\ncondition: sel', undefined],
    ['sel:\n    x: Root\ncondition: not sel', undefined],
  ])('%s -> %j', (detection, expected) => {
    expect(literalsOf(detection)).toEqual(expected);
  });
});

describe('prefiltering the built-in library changes no match', () => {
  const builtin: RuleSet = compileRuleSet(loadBuiltinRules(), {});
  const lines = readFileSync(sharedPath('datasets/combined/records.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');

  it('every line it drops matches no rule when parsed, and it drops some', () => {
    expect(builtin.linePrefilter).toBeDefined();
    let dropped = 0;
    for (const line of lines) {
      if (builtin.linePrefilter!(Buffer.from(line, 'utf8'), line)) continue;
      dropped++;
      expect([line.slice(0, 120), builtin.match(JSON.parse(line) as object)]).toEqual([line.slice(0, 120), []]);
    }
    expect(dropped).toBeGreaterThan(lines.length / 4);
  });
});
