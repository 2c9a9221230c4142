import { makeCloudTrailRecord, maxInAnyWindow, type CloudTrailRecord } from '@trailguard/testing';
import { AwsIngestError } from '../aws.errors';
import { CustomerAwsClients } from '../clients/customer-aws-clients';
import { AssumedCredentialsCache } from '../credentials/assumed-credentials-cache';
import { RedisRateLimiter } from '../rate-limit/redis-rate-limiter';
import { redisFixture, type RedisFixture } from '../testing/redis-fixture.test-helper';
import { PLATFORM_ACCOUNT_ID, startSimFixture, type SimFixture } from '../testing/sim-fixture.test-helper';
import { LookupEventsPager, type PollTarget } from './lookup-events-pager';

const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const MINUTE = 60_000;

describe('LookupEventsPager', () => {
  let fx: SimFixture;
  let redis: RedisFixture;
  let accountId: string;
  let roleArn: string;
  beforeAll(async () => {
    fx = await startSimFixture();
    redis = redisFixture();
  });
  afterAll(async () => {
    await redis.close();
    await fx.stop();
  });
  beforeEach(() => {
    fx.reset();
    ({ accountId, roleArn } = fx.sim.createCustomerAccount({
      accountId: '333344445555',
      trustedAccountId: PLATFORM_ACCOUNT_ID,
      externalId: 'ext-poll',
    }));
  });

  function setup(options: { maxAttempts?: number; refreshMarginMs?: number } = {}) {
    const limiter = new RedisRateLimiter(redis.connect(), { prefix: redis.prefix });
    const clients = new CustomerAwsClients(
      new AssumedCredentialsCache(options.refreshMarginMs !== undefined ? { refreshMarginMs: options.refreshMarginMs } : {}),
      { lookupEventsGate: limiter, ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}) },
    );
    return { clients, pager: new LookupEventsPager(clients, { overlapMs: 5 * MINUTE }) };
  }
  const target = (region: string): PollTarget => ({ roleArn, externalId: 'ext-poll', region });

  function seed(region: string, count: number, from: number, to: number): CloudTrailRecord[] {
    const records = Array.from({ length: count }, (_, i) =>
      makeCloudTrailRecord({ accountId, awsRegion: region, time: new Date(from + Math.floor(((to - from) * i) / count)) }),
    );
    fx.sim.appendEvents(accountId, region, records);
    return records;
  }

  function lookupLog(region: string, since: number) {
    return fx.sim.requests({ action: 'LookupEvents', accountId, region, since });
  }

  it('reads 500 events across 3 regions over overlapping runs, each once after dedupe, at <= 2 rps', async () => {
    const { clients, pager } = setup();
    const now = Date.now();
    const started = now;
    const expected = new Map<string, Set<string>>();
    const counts = [200, 170, 100];
    REGIONS.forEach((region, i) =>
      expected.set(region, new Set(seed(region, counts[i]!, now - 60 * MINUTE, now - 2 * MINUTE).map((r) => r.eventID))),
    );
    const runs = await Promise.all(
      REGIONS.map(async (region) => {
        const seen = new Map<string, number>();
        const count = (records: { eventID?: string }[]) => records.forEach((r) => seen.set(r.eventID!, (seen.get(r.eventID!) ?? 0) + 1));
        const first = await pager.fetchSince(target(region), new Date(now - 61 * MINUTE), new Date(now));
        count(first.records);
        // Late events: delivered after the first run, stamped before its checkpoint (inside the overlap).
        const late = seed(region, 10, first.checkpoint!.getTime() - 3 * MINUTE, first.checkpoint!.getTime() - MINUTE);
        late.forEach((r) => expected.get(region)!.add(r.eventID));
        const second = await pager.fetchSince(target(region), first.checkpoint, new Date(now + MINUTE));
        count(second.records);
        expect(second.checkpoint!.getTime()).toBeGreaterThanOrEqual(first.checkpoint!.getTime());
        return { region, seen, first };
      }),
    );
    let total = 0;
    let reread = 0;
    for (const { region, seen, first } of runs) {
      expect(new Set(seen.keys())).toEqual(expected.get(region));
      expect(first.pages).toBeGreaterThan(1);
      total += seen.size;
      reread += [...seen.values()].filter((n) => n > 1).length;
      const log = lookupLog(region, started);
      expect(log.every((e) => e.status === 200)).toBe(true);
      expect(maxInAnyWindow(log.map((e) => e.time))).toBeLessThanOrEqual(2);
    }
    expect(total).toBe(500);
    // The overlap window really re-read events around the checkpoint.
    expect(reread).toBeGreaterThan(0);
    clients.destroy();
  });

  it('keeps an event nested too deep to store as the summary fields AWS returned, counted as unparsable', async () => {
    const { clients, pager } = setup();
    const now = Date.now();
    const [plain, deep] = seed('us-east-1', 2, now - 10 * MINUTE, now - 5 * MINUTE);
    let nested: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) nested = { n: nested };
    Object.assign(deep!, { requestParameters: nested });
    const run = await pager.fetchSince(target('us-east-1'), new Date(now - 15 * MINUTE), new Date(now));
    expect(run.unparsable).toBe(1);
    const byId = new Map(run.records.map((r) => [r.eventID, r]));
    expect(byId.get(plain!.eventID)).toEqual(plain);
    expect(byId.get(deep!.eventID)).toEqual(
      expect.objectContaining({ eventID: deep!.eventID, eventName: deep!.eventName, eventSource: deep!.eventSource }),
    );
    expect(byId.get(deep!.eventID)).not.toHaveProperty('requestParameters');
    clients.destroy();
  });

  it('rides out a throttling storm without losing events and keeps every attempt within 2 rps', async () => {
    const { clients, pager } = setup();
    const now = Date.now();
    const records = seed('us-east-1', 150, now - 30 * MINUTE, now - MINUTE);
    fx.sim.throttleStorm({ every: 2 });
    const run = await pager.fetchSince(target('us-east-1'), new Date(now - 31 * MINUTE), new Date(now));
    expect(new Set(run.records.map((r) => r.eventID))).toEqual(new Set(records.map((r) => r.eventID)));
    const log = lookupLog('us-east-1', now);
    expect(log.filter((e) => e.errorCode === 'ThrottlingException').length).toBeGreaterThan(0);
    expect(maxInAnyWindow(log.map((e) => e.time))).toBeLessThanOrEqual(2);
    clients.destroy();
  });

  it('surfaces exhausted throttling retries as code "throttled", and a rerun from the checkpoint loses nothing', async () => {
    const { clients, pager } = setup({ maxAttempts: 2 });
    const now = Date.now();
    const records = seed('eu-west-1', 60, now - 30 * MINUTE, now - MINUTE);
    fx.sim.throttleStorm({ every: 1, durationMs: 60_000 });
    const err = await pager.fetchSince(target('eu-west-1'), new Date(now - 31 * MINUTE)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AwsIngestError);
    expect(err).toMatchObject({ code: 'throttled', awsCode: 'ThrottlingException', operation: 'cloudtrail:LookupEvents' });
    fx.sim.clearFaults();
    const run = await pager.fetchSince(target('eu-west-1'), new Date(now - 31 * MINUTE));
    expect(run.records).toHaveLength(records.length);
    clients.destroy();
  });

  it('reports 5xx that outlast the SDK retries as code "unavailable"', async () => {
    const { clients, pager } = setup({ maxAttempts: 2 });
    fx.sim.failNext('LookupEvents', 2, 503);
    await expect(pager.fetchSince(target('us-east-1'), null)).rejects.toMatchObject({ code: 'unavailable', awsCode: 'InternalFailure' });
    // The next poll goes through.
    await expect(pager.fetchSince(target('us-east-1'), null)).resolves.toMatchObject({ pages: 1 });
    clients.destroy();
  });

  it('reports a revoked permission as code "access_denied"', async () => {
    const { clients, pager } = setup();
    fx.sim.revokePermission(roleArn, 'cloudtrail:LookupEvents');
    await expect(pager.fetchSince(target('us-east-1'), null)).rejects.toMatchObject({
      code: 'access_denied',
      awsCode: 'AccessDeniedException',
    });
    clients.destroy();
  });

  it('refreshes credentials revoked mid-run: one ExpiredToken, a new AssumeRole, the page retried', async () => {
    const { clients, pager } = setup();
    const now = Date.now();
    const records = seed('ap-southeast-2', 200, now - 30 * MINUTE, now - MINUTE);
    const seen = new Set<string>();
    let pages = 0;
    for await (const page of pager.pages(target('ap-southeast-2'), new Date(now - 31 * MINUTE), new Date(now))) {
      page.records.forEach((r) => seen.add(r.eventID!));
      // Expire every session AWS-side after the second page: the cache still believes in them.
      if (++pages === 2) expect(fx.sim.expireAllCredentials()).toBe(1);
    }
    expect(seen.size).toBe(records.length);
    const log = lookupLog('ap-southeast-2', now);
    expect(log.filter((e) => e.errorCode === 'ExpiredTokenException')).toHaveLength(1);
    expect(fx.sim.requests({ action: 'AssumeRole', since: now })).toHaveLength(2);
    clients.destroy();
  });

  it('replaces short-lived credentials before they expire during a long run', async () => {
    fx.sim.setCredentialLifetime(2);
    const { clients, pager } = setup({ refreshMarginMs: 500 });
    const now = Date.now();
    const records = seed('ap-southeast-2', 300, now - 30 * MINUTE, now - MINUTE);
    const run = await pager.fetchSince(target('ap-southeast-2'), new Date(now - 31 * MINUTE), new Date(now));
    expect(new Set(run.records.map((r) => r.eventID)).size).toBe(records.length);
    // Six pages at 2 rps take over 2 s, longer than one credential lifetime.
    expect(fx.sim.requests({ action: 'AssumeRole', since: now }).length).toBeGreaterThanOrEqual(2);
    expect(lookupLog('ap-southeast-2', now).every((e) => e.status === 200)).toBe(true);
    clients.destroy();
  });
});
