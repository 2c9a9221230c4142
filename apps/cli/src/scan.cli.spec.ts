import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sharedPath } from '@trailguard/testing';

// Several tests start a few processes each; this machine may be busy.
jest.setTimeout(90_000);

const BIN = resolve(__dirname, '../bin/trailguard.js');
const REPO = resolve(__dirname, '../../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function trailguard(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

function trailguardWithInput(args: string[], input: Buffer): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

const ndjsonLines = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const at = (minute: number): string => new Date(Date.UTC(2026, 10, 1, 10, minute)).toISOString().slice(0, 19) + 'Z';
const user = (name: string): Record<string, unknown> => ({
  type: 'IAMUser',
  arn: `arn:aws:iam::111122223333:user/${name}`,
  accountId: '111122223333',
});
const event = (
  id: string,
  eventName: string,
  eventSource: string,
  who: string,
  minute: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  eventVersion: '1.09',
  eventID: id,
  eventTime: at(minute),
  eventName,
  eventSource,
  awsRegion: 'eu-west-1',
  sourceIPAddress: '198.51.100.7',
  userIdentity: user(who),
  recipientAccountId: '111122223333',
  ...extra,
});
const failedLogin = (id: string, minute: number): Record<string, unknown> =>
  event(id, 'ConsoleLogin', 'signin.amazonaws.com', 'mallory', minute, { responseElements: { ConsoleLogin: 'Failure' } });

const RULES = `title: Test UpdateTrail
id: 6a3e1c51-0f6c-4b83-9a51-3a8d3c1b0a01
name: test_update_trail
status: test
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: cloudtrail.amazonaws.com
        eventName: UpdateTrail
    condition: selection
level: medium
---
title: Test StopLogging via OCSF names
id: 6a3e1c51-0f6c-4b83-9a51-3a8d3c1b0a02
name: test_stop_logging
status: test
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        api.service.name: cloudtrail.amazonaws.com
        api.operation: StopLogging
    condition: selection
level: high
---
title: Test failed console login
id: 6a3e1c51-0f6c-4b83-9a51-3a8d3c1b0a03
name: test_failed_login
status: test
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: ConsoleLogin
        responseElements.ConsoleLogin: Failure
    condition: selection
level: low
---
title: Test console brute force
id: 6a3e1c51-0f6c-4b83-9a51-3a8d3c1b0a04
status: test
correlation:
    type: event_count
    rules:
        - test_failed_login
    group-by:
        - userIdentity.arn
    timespan: 10m
    condition:
        gte: 3
level: high
`;

const FILTER = `title: Alice is a known trail administrator
id: 6a3e1c51-0f6c-4b83-9a51-3a8d3c1b0a05
logsource:
    product: aws
    service: cloudtrail
filter:
    rules:
        - test_update_trail
    selection:
        userIdentity.arn|endswith: ':user/alice'
    condition: not selection
`;

const BAD_RULE = `title: Broken rule
id: 6a3e1c51-0f6c-4b83-9a51-3a8d3c1b0a06
status: test
logsource:
    product: aws
detection:
    selection:
        eventName|nosuchmodifier: UpdateTrail
    condition: selection
level: low
`;

let dir: string;
let events: string;
let rules: string;
const write = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-cli-'));
  const lines = [
    event('ev-update-alice', 'UpdateTrail', 'cloudtrail.amazonaws.com', 'alice', 0, {
      requestParameters: { name: 'main', isMultiRegionTrail: false },
    }),
    event('ev-update-carol', 'UpdateTrail', 'cloudtrail.amazonaws.com', 'carol', 1),
    event('ev-stop-bob', 'StopLogging', 'cloudtrail.amazonaws.com', 'bob', 2),
    event('ev-describe', 'DescribeInstances', 'ec2.amazonaws.com', 'bob', 3),
    failedLogin('ev-login-1', 4),
    failedLogin('ev-login-2', 5),
    failedLogin('ev-login-3', 6),
  ].map((e) => JSON.stringify(e));
  lines.splice(3, 0, '{"eventID": "broken", ');
  events = write('events.ndjson', lines.join('\n') + '\n');
  rules = write('rules.yml', RULES);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('trailguard scan', () => {
  it('prints NDJSON matches and correlation alerts, and reports the malformed line', async () => {
    const run = await trailguard(['scan', '--rules', rules, '--format', 'ndjson', events]);
    expect(run.code).toBe(0);
    const out = ndjsonLines(run.stdout);
    const matches = out.filter((o) => 'eventId' in o);
    expect(matches.map((m) => [m['ruleId'], m['eventId']])).toEqual([
      ['6a3e1c51-0f6c-4b83-9a51-3a8d3c1b0a01', 'ev-update-alice'],
      ['6a3e1c51-0f6c-4b83-9a51-3a8d3c1b0a01', 'ev-update-carol'],
      ['6a3e1c51-0f6c-4b83-9a51-3a8d3c1b0a02', 'ev-stop-bob'],
    ]);
    expect(matches[2]).toMatchObject({
      ruleTitle: 'Test StopLogging via OCSF names',
      level: 'high',
      eventName: 'StopLogging',
      eventTime: at(2),
      awsRegion: 'eu-west-1',
      actor: 'arn:aws:iam::111122223333:user/bob',
      source: events,
      line: 3,
    });
    // The failed logins feed the correlation only: no line of their own, one alert for the three.
    const alerts = out.filter((o) => 'eventIds' in o);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      ruleId: '6a3e1c51-0f6c-4b83-9a51-3a8d3c1b0a04',
      type: 'event_count',
      group: { 'userIdentity.arn': 'arn:aws:iam::111122223333:user/mallory' },
    });
    expect([...(alerts[0]!['eventIds'] as string[])].sort()).toEqual(['ev-login-1', 'ev-login-2', 'ev-login-3']);
    expect(run.stderr).toContain(`${events}:4: invalid_json`);
    expect(run.stderr).toMatch(/Scanned 7 events/);
    expect(run.stderr).toMatch(/Malformed records skipped: 1/);
  });

  it('prints one eventID a line with --format ids, alerts as NDJSON', async () => {
    const run = await trailguard(['scan', '--rules', rules, '--format', 'ids', '--no-summary', events]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['ev-update-alice', 'ev-update-carol', 'ev-stop-bob']);
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3]!)).toMatchObject({ ruleId: '6a3e1c51-0f6c-4b83-9a51-3a8d3c1b0a04' });
    expect(run.stderr).toBe('');
  });

  it('prints an aligned table with --format table', async () => {
    const run = await trailguard(['scan', '--rules', rules, '--format', 'table', events]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^LEVEL\s+RULE\s+EVENT ID\s+EVENT NAME\s+TIME\s+REGION\s+ACTOR\s+SOURCE$/);
    const row = lines.find((l) => l.includes('ev-stop-bob'));
    expect(row).toBeDefined();
    expect(row!.indexOf('ev-stop-bob')).toBe(lines[0]!.indexOf('EVENT ID'));
    expect(row!.indexOf('StopLogging', row!.indexOf('ev-stop-bob'))).toBe(lines[0]!.indexOf('EVENT NAME'));
    expect(lines.some((l) => l.includes('event_count (3 events)'))).toBe(true);
  });

  it('defaults to NDJSON when stdout is not a terminal', async () => {
    const run = await trailguard(['scan', '--rules', rules, '--no-summary', events]);
    expect(ndjsonLines(run.stdout).filter((o) => 'eventId' in o)).toHaveLength(3);
  });

  it('applies --filter documents as pySigma does: `not selection` excludes', async () => {
    const filter = write('filter.yml', FILTER);
    const run = await trailguard(['scan', '--rules', rules, '--filter', filter, '--format', 'ids', '--no-summary', events]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n').slice(0, 2)).toEqual(['ev-update-carol', 'ev-stop-bob']);
  });

  it('applies --filter documents as pySigma does: `selection` keeps only the selected', async () => {
    const filter = write('filter-keep.yml', FILTER.replace('condition: not selection', 'condition: selection'));
    const run = await trailguard(['scan', '--rules', rules, '--filter', filter, '--format', 'ids', '--no-summary', events]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n').slice(0, 2)).toEqual(['ev-update-alice', 'ev-stop-bob']);
  });

  it('warns about a filter naming a rule absent from the set', async () => {
    const filter = write('filter-absent.yml', FILTER.replace('- test_update_trail', '- no_such_rule'));
    const run = await trailguard(['scan', '--rules', rules, '--filter', filter, '--format', 'ids', '--no-summary', events]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('warning: filter "Alice is a known trail administrator" names "no_such_rule"');
  });

  it('rejects a bad rule with its position and exit status 2, scanning nothing', async () => {
    const bad = write('bad.yml', BAD_RULE);
    const run = await trailguard(['scan', '--rules', rules, '--rules', bad, '--format', 'ndjson', events]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:8:\\d+: `));
  });

  it('rejects a correlation naming an unknown rule with the position the engine gives', async () => {
    const bad = write('bad-correlation.yml', RULES.replace('        - test_failed_login', '        - no_such_rule'));
    const run = await trailguard(['scan', '--rules', bad, events]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: .*no_such_rule`, 'm'));
  });

  it('exits 2 on an unreadable input but still evaluates the readable ones', async () => {
    const missing = join(dir, 'missing.ndjson');
    const corrupt = write('corrupt.json.gz', gzipSync('{"eventName":"X","eventSource":"y"}\n').subarray(0, 20));
    const run = await trailguard(['scan', '--rules', rules, '--format', 'ids', missing, corrupt, events]);
    expect(run.code).toBe(2);
    expect(run.stdout.split('\n')).toContain('ev-stop-bob');
    expect(run.stderr).toContain(missing);
    expect(run.stderr).toContain(corrupt);
    expect(run.stderr).toMatch(/Unreadable inputs: 2/);
  });

  it('scans folders of log files and gzip with the built-in rules', async () => {
    const trail = {
      Records: [
        event('ev-builtin-update', 'UpdateTrail', 'cloudtrail.amazonaws.com', 'carol', 7, {
          requestParameters: { name: 'main', isMultiRegionTrail: false },
        }),
        event('ev-builtin-describe', 'DescribeInstances', 'ec2.amazonaws.com', 'carol', 8),
      ],
    };
    const sub = join(dir, 'AWSLogs');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'log.json.gz'), gzipSync(JSON.stringify(trail)));
    const run = await trailguard(['scan', '--format', 'ndjson', sub]);
    expect(run.code).toBe(0);
    const matches = ndjsonLines(run.stdout).filter((o) => o['eventId'] === 'ev-builtin-update');
    expect(matches.length).toBeGreaterThanOrEqual(2);
    expect(matches.map((m) => m['level'])).toEqual(expect.arrayContaining(['medium', 'high']));
    expect(matches[0]).toMatchObject({ source: join(sub, 'log.json.gz'), line: 1, pointer: 'Records[0]' });
    expect(ndjsonLines(run.stdout).some((o) => o['eventId'] === 'ev-builtin-describe')).toBe(false);
  });

  it('reads standard input for "-", gzipped or not', async () => {
    const body = gzipSync(JSON.stringify({ Records: [event('ev-stdin', 'StopLogging', 'cloudtrail.amazonaws.com', 'bob', 9)] }));
    const run = await trailguardWithInput(['scan', '--rules', rules, '--format', 'ids', '-'], body);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('ev-stdin\n');
    expect(run.stderr).toMatch(/Scanned 1 events/);
  });

  it('resolves %placeholders% of |expand from --expand', async () => {
    const rule = write(
      'expand.yml',
      `title: Trail change by a non-admin
id: 6a3e1c51-0f6c-4b83-9a51-3a8d3c1b0a07
status: test
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventName: UpdateTrail
    admins:
        userIdentity.arn|expand: '%Administrators%'
    condition: selection and not admins
level: medium
`,
    );
    const run = await trailguard([
      'scan',
      '--rules',
      rule,
      '--format',
      'ids',
      '--no-summary',
      '--expand',
      'Administrators=arn:aws:iam::111122223333:user/alice',
      events,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('ev-update-carol\n');
    const listed = await trailguard([
      'scan',
      '--rules',
      rule,
      '--format',
      'ids',
      '--no-summary',
      '--placeholder',
      'Administrators=arn:aws:iam::111122223333:user/alice,arn:aws:iam::111122223333:user/carol',
      events,
    ]);
    expect(listed.stdout).toBe('');
    const unresolved = await trailguard(['scan', '--rules', rule, '--format', 'ids', events]);
    expect(unresolved.code).toBe(2);
    expect(unresolved.stderr).toMatch(/expand\.yml:11:\d+: placeholder %Administrators% is not resolved.*\[unsupported_placeholder\]/);
  });

  it('prints the same matches whether lines are prefiltered from their raw text or all parsed', async () => {
    const corpus = sharedPath('datasets/combined/records.ndjson');
    const fast = await trailguard(['scan', '--format', 'ndjson', corpus]);
    const full = await trailguard(['scan', '--format', 'ndjson', '--no-prefilter', corpus]);
    expect(fast.code).toBe(0);
    expect(fast.stdout.length).toBeGreaterThan(1000);
    expect(fast.stdout).toBe(full.stdout);
    expect(fast.stderr).toMatch(/decided from the raw line/);
  });
});
