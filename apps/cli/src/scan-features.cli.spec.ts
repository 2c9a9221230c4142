import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { csvField } from './output/csv.output';
import type { ScanResult } from './scan.service';
import { renderSummary } from './summary';

// The incident-responder features of `trailguard scan` (issue 14): colours, terminal-width tables
// sorted by time, --min-level, --output, csv/json/ocsf, --fail-on, --version, the summary.

// Each test starts a few processes; this machine may be busy.
jest.setTimeout(90_000);

const BIN = resolve(__dirname, '../bin/trailguard.js');
const REPO = resolve(__dirname, '../../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// Most tests run the esbuild bundle (`npm run build:cli`, built here into a temporary folder): it
// starts in a fraction of the time the TypeScript sources take, and this proves the build works.
let bundle: string | undefined;

function trailguard(args: string[], env: Record<string, string> = {}, entry: string = bundle ?? BIN): Promise<Run> {
  const base = { ...process.env };
  delete base['NO_COLOR'];
  delete base['FORCE_COLOR'];
  delete base['COLUMNS'];
  return new Promise((done) => {
    execFile(process.execPath, [entry, ...args], { cwd: REPO, env: { ...base, ...env }, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const RULES = `title: Trail updated
id: 7b4f2d62-1a7d-4c94-8b62-4b9e2d1c0b01
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName: UpdateTrail
    condition: selection
level: medium
---
title: Logging stopped
id: 7b4f2d62-1a7d-4c94-8b62-4b9e2d1c0b02
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName: StopLogging
    condition: selection
level: critical
---
title: Anything by the robot
id: 7b4f2d62-1a7d-4c94-8b62-4b9e2d1c0b03
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        userIdentity.arn|endswith: ':user/robot'
    condition: selection
level: low
`;

const record = (id: string, name: string, time: string, who: string): string =>
  JSON.stringify({
    eventVersion: '1.09',
    eventID: id,
    eventTime: time,
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: name,
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.7',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::111122223333:user/${who}`, accountId: '111122223333' },
    recipientAccountId: '111122223333',
  });

// File order is not time order.
const EVENTS = [
  record('ev-3', 'UpdateTrail', '2026-11-01T10:03:00Z', 'alice'),
  record('ev-1', 'StopLogging', '2026-11-01T10:01:00Z', 'mallory'),
  record('ev-2', 'DescribeTrails', '2026-11-01T10:02:00Z', 'robot'),
  record('ev-0', 'ListBuckets', '2026-11-01T09:59:00Z', 'bob'),
].join('\n');

let dir: string;
let rules: string;
let events: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-cli-features-'));
  bundle = join(dir, 'trailguard.js');
  execFileSync(process.execPath, [join(REPO, 'scripts/build-cli.mjs'), '--outfile', bundle], { cwd: REPO });
  rules = join(dir, 'rules.yml');
  events = join(dir, 'events.ndjson');
  writeFileSync(rules, RULES);
  writeFileSync(events, EVENTS);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scan = (args: string[], env?: Record<string, string>): Promise<Run> => trailguard(['scan', '--rules', rules, ...args, events], env);
const ANSI = /\u001b\[[0-9;]*m/;

describe('trailguard scan for incident responders', () => {
  it('--version prints the version (from bin/trailguard.js, bundle or sources)', async () => {
    const run = await trailguard(['--version'], {}, BIN);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe((JSON.parse(readFileSync(join(REPO, 'apps/cli/package.json'), 'utf8')) as { version: string }).version);
  });

  it('sorts table rows by event time, not file order', async () => {
    const run = await scan(['--format', 'table', '--no-summary']);
    const ids = run.stdout
      .split('\n')
      .slice(2)
      .filter(Boolean)
      .map((l) => /ev-\d/.exec(l)?.[0]);
    expect(ids).toEqual(['ev-1', 'ev-2', 'ev-3']);
  });

  it('colours levels only on request of a terminal, never with NO_COLOR', async () => {
    const [piped, forced, vetoed, flag] = await Promise.all([
      scan(['--format', 'table', '--no-summary']),
      scan(['--format', 'table', '--no-summary'], { FORCE_COLOR: '1' }),
      scan(['--format', 'table', '--no-summary'], { FORCE_COLOR: '1', NO_COLOR: '1' }),
      scan(['--format', 'table', '--no-summary', '--no-color'], { FORCE_COLOR: '1' }),
    ]);
    expect(piped.stdout).not.toMatch(ANSI);
    expect(forced.stdout).toMatch(ANSI);
    expect(vetoed.stdout).not.toMatch(ANSI);
    expect(flag.stdout).not.toMatch(ANSI);
  });

  it('fits the table to the terminal width', async () => {
    const natural = await scan(['--format', 'table', '--no-summary']);
    const widest = Math.max(...natural.stdout.split('\n').map((l) => l.length));
    const narrow = await scan(['--format', 'table', '--no-summary'], { COLUMNS: String(widest - 20) });
    const lines = narrow.stdout.split('\n').filter(Boolean);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(widest - 20);
    expect(narrow.stdout).toContain('…');
    expect(lines[0]).toMatch(/^LEVEL\s+RULE\s+EVENT ID\s+EVENT NAME\s+TIME\s+REGION\s+ACTOR\s+SOURCE$/);
  });

  it('--min-level reports only matches at or above the level', async () => {
    const run = await scan(['--format', 'ndjson', '--min-level', 'medium']);
    const levels = run.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { level: string }).level);
    expect(levels.sort()).toEqual(['critical', 'medium']);
    expect(run.stderr).toMatch(/1 not reported/);
  });

  it('--output writes the results to a file, not standard output', async () => {
    const out = join(dir, 'out.ndjson');
    const run = await scan(['--output', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('--format csv: a header and a quoted row per match', async () => {
    const run = await scan(['--format', 'csv', '--no-summary']);
    const [header, ...rows] = run.stdout.trim().split('\n');
    expect(header).toMatch(/^kind,level,ruleId,ruleTitle,eventId,eventTime,/);
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.includes('ev-1'))).toMatch(
      /^match,critical,7b4f2d62-1a7d-4c94-8b62-4b9e2d1c0b02,Logging stopped,ev-1,2026-11-01T10:01:00Z,StopLogging,/,
    );
  });

  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['@SUM(1)', "'@SUM(1)"],
    [null, ''],
    [{ a: 1 }, '"{""a"":1}"'],
  ])('csvField(%j) -> %s', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('--format json: one array of the objects ndjson prints', async () => {
    const json = await scan(['--format', 'json', '--no-summary']);
    const ndjson = await scan(['--format', 'ndjson', '--no-summary']);
    expect(JSON.parse(json.stdout)).toEqual(
      ndjson.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    );
  });

  it('--format ocsf: an OCSF Detection Finding a line, with the record as evidence', async () => {
    const run = await scan(['--format', 'ocsf', '--no-summary']);
    const findings = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, any>);
    expect(findings).toHaveLength(3);
    const stop = findings.find((f) => f['finding_info'].analytic.uid === '7b4f2d62-1a7d-4c94-8b62-4b9e2d1c0b02')!;
    expect(stop).toMatchObject({ class_uid: 2004, severity_id: 5, severity: 'Critical', time: Date.parse('2026-11-01T10:01:00Z') });
    expect(stop['evidences'][0].data).toMatchObject({ event_uid: 'ev-1', record: { eventID: 'ev-1' } });
  });

  it.each([
    ['medium', 1],
    ['critical', 1],
    ['low', 1],
  ])('--fail-on %s exits %i when a match is at or above it', async (level, code) => {
    const run = await scan(['--format', 'ids', '--no-summary', '--fail-on', level]);
    expect(run.code).toBe(code);
  });

  it('--fail-on exits 0 when every match is below the level, even with --min-level hiding some', async () => {
    const noCritical = join(dir, 'no-critical.ndjson');
    writeFileSync(
      noCritical,
      EVENTS.split('\n')
        .filter((l) => !l.includes('StopLogging'))
        .join('\n'),
    );
    expect((await trailguard(['scan', '--rules', rules, '--format', 'ids', '--fail-on', 'high', noCritical])).code).toBe(0);
    expect(
      (await trailguard(['scan', '--rules', rules, '--format', 'ids', '--min-level', 'high', '--fail-on', 'low', noCritical])).code,
    ).toBe(1);
  });

  it('summarises the rules loaded and the time range of the events', async () => {
    const run = await scan(['--format', 'ids']);
    expect(run.stderr).toMatch(/^Rules loaded: 3 detection, 0 correlation, 0 filter\(s\)$/m);
    expect(run.stderr).toMatch(/^Scanned 4 events/m);
    expect(run.stderr).toMatch(/^Time range: 2026-11-01T09:59:00Z \.\. 2026-11-01T10:03:00Z$/m);
  });

  it('a file with no CloudTrail records in it is an error', async () => {
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n');
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '');
    for (const input of [passwd, empty]) {
      const run = await trailguard(['scan', '--format', 'ids', input]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${input}: no CloudTrail records in this input`);
    }
  });
});

describe('renderSummary', () => {
  it('writes counts with thousands separators', () => {
    const result: ScanResult = {
      events: 1234567,
      prefiltered: 1000000,
      malformedCount: 12345,
      malformed: [],
      readErrors: [],
      emptyInputs: [],
      tallies: new Map([['r', { ruleId: 'r', ruleTitle: 'Rule', level: 'high', matches: 23456, reported: 23456 }]]),
      alerts: 0,
      matchesWithoutId: 0,
      highestRank: 3,
      firstEventTime: '2026-01-01T00:00:00Z',
      lastEventTime: '2026-01-02T00:00:00Z',
      durationMs: 1000,
    };
    const text = renderSummary(result, { inputs: 1, rules: [], filters: 0, color: false });
    expect(text).toContain('Scanned 1,234,567 events');
    expect(text).toContain('1,000,000 decided from the raw line');
    expect(text).toContain('   23,456  high');
    expect(text).toContain('Malformed records skipped: 12,345');
  });
});
