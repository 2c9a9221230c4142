import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_RULES_DIR, loadBuiltinRules } from './builtin-rules';
import { parseSigma } from './document.parser';
import { compileRuleSet } from './rule-set';
import type { SigmaRule } from './sigma.types';
import { sharedPath } from '@trailguard/testing';

const DATASET = sharedPath('datasets/combined/records.ndjson');
const UPDATE_TRAIL_ID = '87546f43-10bd-43ab-925d-49e334f42335';
const MULTI_REGION_ID = 'f8caffc2-4021-4ca4-85bc-b7f38a4c9e20';
const SIGMAHQ_IMPORTANT_CHANGE = '4db60cc0-36fb-42b7-9b58-a5b53019fb74';

const docs = loadBuiltinRules();
const ruleSet = compileRuleSet(docs);
const matchedIds = (event: object): string[] => ruleSet.match(event).map((m) => m.ruleId);

describe('built-in library', () => {
  it('loads all 57 SigmaHQ rules, the 2 Trailguard seed rules and the blind-spot correlation with its 2 inputs', () => {
    expect(readdirSync(join(BUILTIN_RULES_DIR, 'sigmahq')).filter((f) => f.endsWith('.yml'))).toHaveLength(57);
    expect(docs).toHaveLength(62);
    expect(docs.filter((d) => d.kind === 'rule')).toHaveLength(61);
    expect(docs.filter((d) => d.kind === 'correlation').map((d) => d.title)).toEqual(['Activity after logging was narrowed']);
    expect(new Set(ruleSet.rules.map((r) => r.id)).size).toBe(ruleSet.rules.length);
  });

  it('ships the DRL 1.1 licence with the SigmaHQ rules and keeps their authors', () => {
    expect(readFileSync(join(BUILTIN_RULES_DIR, 'sigmahq', 'LICENSE.Detection.Rules.md'), 'utf8')).toContain('Detection Rule License');
    expect(readFileSync(join(BUILTIN_RULES_DIR, 'sigmahq', 'LICENSE'), 'utf8').length).toBeGreaterThan(100);
    const sigmahq = docs.filter((d): d is SigmaRule => d.kind === 'rule' && d.source!.startsWith('sigmahq/'));
    expect(sigmahq.every((d) => typeof d.author === 'string' && d.author.length > 0 && d.references.length > 0)).toBe(true);
  });

  it('evaluates every record of the combined dataset without throwing', () => {
    const lines = readFileSync(DATASET, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(1000);
    let matched = 0;
    for (const line of lines) {
      const event = JSON.parse(line) as object;
      matched += ruleSet.match(event).length;
    }
    expect(matched).toBeGreaterThan(100);
  });

  it('finds the SigmaHQ rule under both the old and the renumbered ATT&CK ids', () => {
    const info = ruleSet.rules.find((r) => r.id === SIGMAHQ_IMPORTANT_CHANGE)!;
    expect(info.tags).toEqual(
      expect.arrayContaining(['attack.t1685.002', 'attack.t1562.008', 'attack.defense-impairment', 'attack.defense-evasion']),
    );
    const history = parseSigma(
      readFileSync(sharedPath('rules/sigmahq-extra/history/aws_cloudtrail_disable_logging.pre-attack-v19.yml'), 'utf8'),
    );
    expect(compileRuleSet(history).rules[0]!.tags).toEqual(expect.arrayContaining(['attack.t1685.002', 'attack.defense-impairment']));
  });
});

describe('Trailguard seed rules', () => {
  const updateTrail = (requestParameters: object | null, extra: object = {}): object => ({
    eventVersion: '1.08',
    eventID: 'synthetic-1',
    eventTime: '2024-05-01T10:00:00Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'UpdateTrail',
    eventType: 'AwsApiCall',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ops' },
    requestParameters,
    ...extra,
  });

  it('have the agreed metadata', () => {
    const byId = new Map(ruleSet.rules.map((r) => [r.id, r]));
    const tags = ['attack.defense-evasion', 'attack.t1562.008', 'attack.defense-impairment', 'attack.t1685.002'];
    expect(byId.get(UPDATE_TRAIL_ID)).toMatchObject({ title: 'AWS CloudTrail UpdateTrail', level: 'medium', author: 'Trailguard' });
    expect(byId.get(MULTI_REGION_ID)).toMatchObject({
      title: 'AWS CloudTrail UpdateTrail with multi-region disabled',
      level: 'high',
      author: 'Trailguard',
    });
    expect(byId.get(UPDATE_TRAIL_ID)!.tags.sort()).toEqual([...tags].sort());
    expect(byId.get(MULTI_REGION_ID)!.tags.sort()).toEqual([...tags].sort());
  });

  // Synthetic: no public management-event UpdateTrail with isMultiRegionTrail=false exists (see
  // ../shared/datasets/README.md), so this positive is built by hand from the API's documented shape.
  it('synthetic positive: UpdateTrail with isMultiRegionTrail false fires both seed rules and the SigmaHQ rule', () => {
    const ids = matchedIds(updateTrail({ name: 'management-events', isMultiRegionTrail: false }));
    expect(ids).toEqual(expect.arrayContaining([UPDATE_TRAIL_ID, MULTI_REGION_ID, SIGMAHQ_IMPORTANT_CHANGE]));
  });

  it.each([
    ['isMultiRegionTrail true', { name: 'main', isMultiRegionTrail: true }],
    ['flag absent', { name: 'main', enableLogFileValidation: true }],
    ['requestParameters null (AccessDenied call)', null],
  ])('negative for the multi-region rule: %s', (_name, params) => {
    const ids = matchedIds(updateTrail(params));
    expect(ids).toContain(UPDATE_TRAIL_ID);
    expect(ids).not.toContain(MULTI_REGION_ID);
  });

  it.each([
    ['another CloudTrail call', { eventName: 'DescribeTrails' }],
    ['UpdateTrail of another service', { eventSource: 'other.amazonaws.com' }],
  ])('negative for both: %s', (_name, override) => {
    const ids = matchedIds(updateTrail({ isMultiRegionTrail: false }, override));
    expect(ids).not.toContain(UPDATE_TRAIL_ID);
    expect(ids).not.toContain(MULTI_REGION_ID);
  });

  it('on the dataset: matches the real UpdateTrail records, and the multi-region rule only the isMultiRegionTrail:false one', () => {
    const records = readFileSync(DATASET, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"UpdateTrail"'))
      .map((l) => JSON.parse(l) as { eventID: string; eventName: string });
    const updateTrails = records.filter((r) => r.eventName === 'UpdateTrail');
    expect(updateTrails.length).toBeGreaterThanOrEqual(3);
    expect(updateTrails.filter((r) => matchedIds(r).includes(UPDATE_TRAIL_ID))).toHaveLength(updateTrails.length);
    // panther-tests-1207 is Panther's hand-written VPC-endpoint test event carrying the flag.
    expect(updateTrails.filter((r) => matchedIds(r).includes(MULTI_REGION_ID)).map((r) => r.eventID)).toEqual(['panther-tests-1207']);
  });
});

describe('SigmaHQ placeholder rule', () => {
  const text = readFileSync(
    sharedPath('rules/sigmahq-extra/rules-placeholder/cloud/aws/cloudtrail/aws_cloudtrail_console_login_success_from_susp_locations.yml'),
    'utf8',
  );
  const expand = (p: string): readonly string[] =>
    ({ '%Legitimate_Countries%': ['DE', 'FR'], '%Legitimate_IP_Ranges%': ['198.51.100.*'] })[p] ?? [];
  const login = (country: string, ip: string): object => ({
    eventName: 'ConsoleLogin',
    responseElements: { ConsoleLogin: 'Success' },
    src_country: country,
    src_ip: ip,
  });

  it('is rejected without an expand hook', () => {
    expect(() => compileRuleSet(parseSigma(text))).toThrow(expect.objectContaining({ code: 'unsupported_placeholder' }));
  });
  it('fires only for logins outside the expanded allowlists', () => {
    const rs = compileRuleSet(parseSigma(text), { expand });
    expect(rs.match(login('BR', '203.0.113.9'))).toHaveLength(1);
    expect(rs.match(login('DE', '203.0.113.9'))).toHaveLength(0);
    expect(rs.match(login('BR', '198.51.100.20'))).toHaveLength(0);
  });
});

describe('SigmaHQ rules against Stratus Red Team detonation logs', () => {
  const labelled = readFileSync(sharedPath('datasets/stratus-red-team/labeled.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { source_technique: string; event: object });
  const firedFor = (technique: string): Set<string> =>
    new Set(labelled.filter((r) => r.source_technique === technique).flatMap((r) => matchedIds(r.event)));

  // Technique -> the SigmaHQ rule written for that behaviour (id prefix), which must fire on its log.
  it.each([
    ['aws.defense-evasion.cloudtrail-stop', SIGMAHQ_IMPORTANT_CHANGE],
    ['aws.defense-evasion.cloudtrail-delete', SIGMAHQ_IMPORTANT_CHANGE],
    ['aws.defense-evasion.vpc-remove-flow-logs', 'e386b9b5'],
    ['aws.exfiltration.ec2-security-group-open-port-22-ingress', '6fb77778'],
    ['aws.exfiltration.ec2-share-ebs-snapshot', 'abae8fec'],
    ['aws.initial-access.console-login-without-mfa', '77caf516'],
    ['aws.persistence.iam-backdoor-user', '0a5177f4'],
    ['aws.persistence.lambda-layer-extension', '97fbabf8'],
    ['aws.privilege-escalation.iam-update-user-login-profile', '055fb148'],
    ['aws.execution.ssm-send-command', '38e7f511'],
  ])('%s fires %s', (technique, idPrefix) => {
    expect([...firedFor(technique)].some((id) => id.startsWith(idPrefix))).toBe(true);
  });

  it('CloudTrail rules stay quiet on unrelated techniques', () => {
    expect(firedFor('aws.credential-access.secretsmanager-retrieve-secrets').has(SIGMAHQ_IMPORTANT_CHANGE)).toBe(false);
    expect(firedFor('aws.impact.bedrock-invoke-model').has(SIGMAHQ_IMPORTANT_CHANGE)).toBe(false);
  });
});

describe('blind-spot correlation: activity after logging was narrowed', () => {
  const CORRELATION_ID = '3c9e7a41-5b2d-4f8e-a6c0-9d1e2f3a4b5c';
  const actor = (arn: string) => ({ type: 'IAMUser', arn, accountId: '111122223333' });
  const event = (id: string, minute: number, arn: string, extra: object) => ({
    eventVersion: '1.09',
    eventID: id,
    eventTime: new Date(Date.UTC(2026, 11, 6, 3, minute)).toISOString(),
    userIdentity: actor(arn),
    awsRegion: 'us-east-1',
    ...extra,
  });
  const narrow = (id: string, minute: number, arn: string) =>
    event(id, minute, arn, {
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'UpdateTrail',
      readOnly: false,
      requestParameters: { name: 'main', isMultiRegionTrail: false },
    });
  const write = (id: string, minute: number, arn: string) =>
    event(id, minute, arn, { eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', readOnly: false, awsRegion: 'eu-west-1' });
  const read = (id: string, minute: number, arn: string) =>
    event(id, minute, arn, { eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', readOnly: true });

  async function play(events: ReturnType<typeof event>[]) {
    const set = compileRuleSet(loadBuiltinRules());
    const alerts = [];
    for (const e of events) {
      const matches = set.match(e);
      alerts.push(...(await set.correlate(e, matches)));
    }
    return alerts;
  }

  it('alerts critical when the actor who narrowed the trail then writes, listing both events', async () => {
    const alerts = await play([
      narrow('n1', 0, 'arn:aws:iam::111122223333:user/mallory'),
      read('r1', 5, 'arn:aws:iam::111122223333:user/mallory'),
      write('w1', 10, 'arn:aws:iam::111122223333:user/mallory'),
    ]);
    expect(alerts).toEqual([
      expect.objectContaining({
        ruleId: CORRELATION_ID,
        ruleTitle: 'Activity after logging was narrowed',
        level: 'critical',
        eventIds: ['n1', 'w1'],
        group: { 'userIdentity.arn': 'arn:aws:iam::111122223333:user/mallory' },
      }),
    ]);
  });

  it('stays quiet for another actor, a write before the narrowing, or the narrowing alone; the inputs do not report', async () => {
    const alerts = await play([
      write('w0', 0, 'arn:aws:iam::111122223333:user/mallory'),
      narrow('n1', 1, 'arn:aws:iam::111122223333:user/mallory'),
      write('w2', 2, 'arn:aws:iam::111122223333:user/alice'),
    ]);
    expect(alerts).toEqual([]);
    const set = compileRuleSet(loadBuiltinRules());
    const reported = set.match(write('w3', 3, 'arn:aws:iam::111122223333:user/alice')).filter((m) => m.report);
    expect(reported).toEqual([]);
  });
});
