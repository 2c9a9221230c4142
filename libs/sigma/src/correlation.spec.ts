import { TEMPORAL_WINDOW_MAX_ENTRIES } from './correlation.engine';
import { InMemoryCorrelationStore } from './correlation.store';
import { parseSigma } from './document.parser';
import { compileRuleSet, type RuleSet } from './rule-set';
import type { CorrelationAlert } from './rule-info';
import { errorOf } from './sigma-test.helpers';

const baseRules = `title: Failed console login
id: failed-login
name: failed_login
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        eventName: ConsoleLogin
        responseElements.ConsoleLogin: Failure
    condition: sel
---
title: Successful console login
id: ok-login
name: ok_login
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        eventName: ConsoleLogin
        responseElements.ConsoleLogin: Success
    condition: sel
---
title: Access key created
id: key-created
name: key_created
logsource: {product: aws, service: cloudtrail}
detection:
    sel:
        eventName: CreateAccessKey
    condition: sel
`;

let seq = 0;
function login(user: string, outcome: 'Failure' | 'Success', minute: number, ip = '203.0.113.1'): object {
  return {
    eventID: `e${++seq}`,
    eventTime: new Date(Date.UTC(2024, 0, 1, 12, minute)).toISOString(),
    eventName: 'ConsoleLogin',
    userIdentity: { userName: user },
    sourceIPAddress: ip,
    responseElements: { ConsoleLogin: outcome },
  };
}
function keyCreated(target: string, minute: number): object {
  return {
    eventID: `e${++seq}`,
    eventTime: new Date(Date.UTC(2024, 0, 1, 12, minute)).toISOString(),
    eventName: 'CreateAccessKey',
    requestParameters: { userName: target },
  };
}

/** Feeds events in order and returns every alert, as a worker or the CLI would. */
async function run(rs: RuleSet, events: object[]): Promise<CorrelationAlert[]> {
  const alerts: CorrelationAlert[] = [];
  for (const e of events) alerts.push(...(await rs.correlate(e, rs.match(e))));
  return alerts;
}

function build(correlation: string, store = new InMemoryCorrelationStore()): RuleSet {
  return compileRuleSet(parseSigma(`${baseRules}---\n${correlation}`), { correlationStore: store });
}

beforeEach(() => {
  seq = 0;
});

describe('event_count', () => {
  const corr = `title: Brute force
id: brute
correlation:
    type: event_count
    rules: [failed_login]
    group-by: [userIdentity.userName]
    timespan: 10m
    condition:
        gte: 3
level: high
`;
  it('alerts when a group reaches the count inside the timespan, listing its events', async () => {
    const rs = build(corr);
    const alerts = await run(rs, [
      login('bob', 'Failure', 0),
      login('alice', 'Failure', 1),
      login('bob', 'Failure', 2),
      login('bob', 'Failure', 5),
    ]);
    expect(alerts).toEqual([
      {
        ruleId: 'brute',
        ruleTitle: 'Brute force',
        level: 'high',
        tags: [],
        type: 'event_count',
        group: { 'userIdentity.userName': 'bob' },
        eventIds: ['e1', 'e3', 'e4'],
      },
    ]);
  });
  it('counts an event read twice (the same eventID) once', async () => {
    const rs = build(corr);
    const first = login('bob', 'Failure', 0);
    expect(await run(rs, [first, first, login('bob', 'Failure', 1)])).toEqual([]);
    expect((await run(rs, [login('bob', 'Failure', 2)])).map((a) => a.eventIds)).toEqual([['e1', 'e2', 'e3']]);
  });
  it('does not count events that fell out of the window', async () => {
    const rs = build(corr);
    expect(await run(rs, [login('bob', 'Failure', 0), login('bob', 'Failure', 5), login('bob', 'Failure', 11)])).toEqual([]);
  });
  it('starts a fresh window after an alert', async () => {
    const rs = build(corr);
    const events = [0, 1, 2, 3, 4, 5].map((m) => login('bob', 'Failure', m));
    expect((await run(rs, events)).map((a) => a.eventIds)).toEqual([
      ['e1', 'e2', 'e3'],
      ['e4', 'e5', 'e6'],
    ]);
  });
  it('marks the base rule as not reported, unless generate is true', () => {
    expect(build(corr).match(login('bob', 'Failure', 0))).toEqual([expect.objectContaining({ ruleId: 'failed-login', report: false })]);
    expect(build(`${corr}generate: true\n`).match(login('bob', 'Failure', 0))).toEqual([
      expect.objectContaining({ ruleId: 'failed-login', report: true }),
    ]);
    expect(build(corr).hasCorrelations).toBe(true);
    expect(build(corr).rules.map((r) => [r.id, r.kind])).toContainEqual(['brute', 'correlation']);
  });
  it('skips events without the group-by field', async () => {
    const rs = build(corr);
    const anon = (m: number): object => ({ ...login('x', 'Failure', m), userIdentity: {} });
    expect(await run(rs, [anon(0), anon(1), anon(2)])).toEqual([]);
  });
});

describe('value_count', () => {
  const corr = `title: Many source IPs
id: many-ips
correlation:
    type: value_count
    rules: failed_login
    group-by: userIdentity.userName
    timespan: 1h
    condition:
        field: sourceIPAddress
        gt: 2
`;
  it('counts distinct values of the field per group', async () => {
    const rs = build(corr);
    const alerts = await run(rs, [
      login('bob', 'Failure', 0, '198.51.100.1'),
      login('bob', 'Failure', 1, '198.51.100.1'),
      login('bob', 'Failure', 2, '198.51.100.2'),
      login('bob', 'Failure', 3, '198.51.100.3'),
    ]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      ruleId: 'many-ips',
      type: 'value_count',
      group: { 'userIdentity.userName': 'bob' },
      eventIds: ['e1', 'e2', 'e3', 'e4'],
    });
  });
  it('stays quiet below the threshold', async () => {
    const rs = build(corr);
    expect(
      await run(rs, [
        login('bob', 'Failure', 0, '198.51.100.1'),
        login('bob', 'Failure', 1, '198.51.100.1'),
        login('bob', 'Failure', 2, '198.51.100.2'),
      ]),
    ).toEqual([]);
  });
});

describe('temporal and temporal_ordered', () => {
  const temporal = (type: string): string => `title: Login then key
id: login-key
correlation:
    type: ${type}
    rules:
        - ok_login
        - key_created
    group-by: [user]
    timespan: 5m
    aliases:
        user:
            ok_login: userIdentity.userName
            key_created: requestParameters.userName
`;
  it('temporal: both rules in the window, in any order, joined through aliases', async () => {
    const rs = build(temporal('temporal'));
    const alerts = await run(rs, [keyCreated('bob', 0), login('alice', 'Success', 1), login('bob', 'Success', 2)]);
    expect(alerts).toEqual([
      expect.objectContaining({ ruleId: 'login-key', type: 'temporal', group: { user: 'bob' }, eventIds: ['e1', 'e3'] }),
    ]);
  });
  it('temporal: too far apart', async () => {
    const rs = build(temporal('temporal'));
    expect(await run(rs, [keyCreated('bob', 0), login('bob', 'Success', 6)])).toEqual([]);
  });
  it('temporal_ordered: in the listed order', async () => {
    const rs = build(temporal('temporal_ordered'));
    expect(await run(rs, [login('bob', 'Success', 0), keyCreated('bob', 3)])).toEqual([
      expect.objectContaining({ type: 'temporal_ordered', group: { user: 'bob' }, eventIds: ['e1', 'e2'] }),
    ]);
  });
  it('temporal_ordered: a long run of one input keeps a bounded window and still fires on the next step', async () => {
    const rs = build(temporal('temporal_ordered'));
    const keys = Array.from({ length: 500 }, (_, i) => keyCreated('bob', i / 200));
    const alerts = await run(rs, [...keys, login('bob', 'Success', 3), keyCreated('bob', 4)]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.eventIds).toHaveLength(TEMPORAL_WINDOW_MAX_ENTRIES);
    expect(alerts[0]!.eventIds.slice(-2)).toEqual(['e501', 'e502']);
  });
  it('temporal_ordered: the wrong order does not fire', async () => {
    const rs = build(temporal('temporal_ordered'));
    expect(await run(rs, [keyCreated('bob', 0), login('bob', 'Success', 3)])).toEqual([]);
  });
});

describe('chained correlations', () => {
  it('a correlation can feed another; only the outer one reports', async () => {
    const text = `title: Brute force then success
id: outer
correlation:
    type: temporal_ordered
    rules: [brute, ok_login]
    group-by: [userIdentity.userName]
    timespan: 30m
level: critical
---
title: Brute force
id: brute
correlation:
    type: event_count
    rules: [failed_login]
    group-by: [userIdentity.userName]
    timespan: 10m
    condition:
        gte: 2
`;
    const rs = build(text);
    const alerts = await run(rs, [login('bob', 'Failure', 0), login('bob', 'Failure', 1), login('bob', 'Success', 2)]);
    expect(alerts).toEqual([
      expect.objectContaining({
        ruleId: 'outer',
        level: 'critical',
        group: { 'userIdentity.userName': 'bob' },
        eventIds: ['e1', 'e2', 'e3'],
      }),
    ]);
  });
});

describe('correlation validation and store', () => {
  it('rejects a reference to an unknown rule', () => {
    const err = errorOf(() => build('title: c\ncorrelation:\n    type: temporal\n    rules: [nope]\n    timespan: 5m\n'));
    expect(err).toMatchObject({ code: 'unknown_rule_reference', line: 30, column: 1 }); // the correlation's first line, after the base rules;
  });
  it('parses timespans in s, m, h and d', () => {
    for (const [span, ms] of [
      ['30s', 30_000],
      ['5m', 300_000],
      ['2h', 7_200_000],
      ['1d', 86_400_000],
    ] as const) {
      const [doc] = parseSigma(`title: c\ncorrelation:\n    type: temporal\n    rules: [a, b]\n    timespan: ${span}\n`);
      expect(doc).toMatchObject({ correlation: { timespanMs: ms } });
    }
  });
  it('the in-memory store drops entries older than the window and forgets cleared keys', async () => {
    const store = new InMemoryCorrelationStore();
    await store.append('k', { ts: 0, eventIds: ['a'], ruleId: 'r' }, 1000);
    await store.append('k', { ts: 500, eventIds: ['b'], ruleId: 'r' }, 1000);
    expect((await store.append('k', { ts: 1200, eventIds: ['c'], ruleId: 'r' }, 1000)).map((e) => e.eventIds[0])).toEqual(['b', 'c']);
    expect((await store.append('k', { ts: 900, eventIds: ['late'], ruleId: 'r' }, 1000)).map((e) => e.eventIds[0])).toEqual([
      'b',
      'late',
      'c',
    ]);
    expect((await store.append('k', { ts: 500, eventIds: ['b'], ruleId: 'r' }, 1000)).map((e) => e.eventIds[0])).toEqual([
      'b',
      'late',
      'c',
    ]);
    await store.clear('k');
    expect(store.size).toBe(0);
  });
});
