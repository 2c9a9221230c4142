import { makeCloudTrailRecord } from '@trailguard/testing';
import { detectBatches, onboard, startHarness, waitFor, type Harness } from '../aws-harness';
import { ownerQuery } from '../support/faults';

/**
 * AWS failing under the product, from the simulator: 5xx bursts on STS, LookupEvents and S3
 * GetObject, expired credentials while reading S3, AccessDenied on S3. (Throttling storms,
 * expiry while polling and a LookupEvents denial are in test/ingest-polling.e2e-spec.ts.)
 */
interface Checkpoint {
  last_event_time: Date | null;
  last_key: string | null;
  last_error: string | null;
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

describe('AWS faults through polling and S3 reading', () => {
  let h: Harness;

  const checkpoint = async (accountId: string, source: 'polling' | 's3'): Promise<Checkpoint | undefined> =>
    (
      await ownerQuery<Checkpoint>(
        'SELECT last_event_time, last_key, last_error FROM ingest_checkpoints WHERE account_id = $1 AND source = $2',
        [accountId, source],
      )
    )[0];
  const ids = async (accountId: string, source: string) =>
    (await detectBatches(h.detect, h.a.tenantId, accountId)).filter((b) => b.source === source).flatMap((b) => b.eventIds);

  beforeAll(async () => {
    h = await startHarness({ POLL_INTERVAL_SECONDS: '1', POSTURE_INTERVAL_SECONDS: '3600' });
  }, 30_000);
  afterAll(() => h.close());

  it('a 5xx burst on AssumeRole and LookupEvents: the checkpoint waits, then every event arrives exactly once', async () => {
    const acct = '771000000001';
    h.sim.createAccount(acct);
    const events = Array.from({ length: 120 }, (_, i) =>
      makeCloudTrailRecord({ accountId: acct, awsRegion: 'us-east-1', time: minutesAgo(10 - i / 20) }),
    );
    h.sim.appendEvents(acct, 'us-east-1', events);
    const { id } = await onboard(h, h.a, { awsAccountId: acct });
    h.sim.failNext('AssumeRole', 2, 503);
    h.sim.failNext('LookupEvents', 7, 500);
    await h.startWorkers();

    const failing = await waitFor('a failed poll recorded', async () => {
      const c = await checkpoint(id, 'polling');
      return c?.last_error?.startsWith('unavailable') ? c : null;
    });
    // Failed runs leave the checkpoint where it was (nowhere yet): the next run re-reads everything.
    expect(failing.last_event_time).toBeNull();

    await waitFor('120 events', async () => new Set(await ids(id, 'polling')).size === 120, 45_000);
    const polled = await ids(id, 'polling');
    expect(polled).toHaveLength(120);
    expect(new Set(polled)).toEqual(new Set(events.map((e) => e.eventID)));
    const after = await waitFor('a clean poll', async () => {
      const c = await checkpoint(id, 'polling');
      return c && c.last_error === null && c.last_event_time ? c : null;
    });
    expect(after.last_event_time!.getTime()).toBeGreaterThanOrEqual(Date.parse(events[events.length - 1]!.eventTime as string) - 1000);
    const serverErrors = h.sim.requests().filter((r) => r.status >= 500 && (r.action === 'LookupEvents' || r.action === 'AssumeRole'));
    expect(serverErrors.length).toBe(9);
    const account = await h.t.http.get(`/v1/aws-accounts/${id}`).set(h.a.auth()).expect(200);
    expect(account.body.status).toBe('active');
  }, 60_000);

  it('a 5xx burst on S3 GetObject: the checkpoint stays before the unread file; expired credentials are refreshed; nothing lost or doubled', async () => {
    const acct = '771000000002';
    const bucket = 'fault-logs-771002';
    h.sim.createAccount(acct);
    const { id } = await onboard(h, h.a, { awsAccountId: acct, polling: false, s3Bucket: bucket });
    const file = (count: number, minutes: number) => {
      const records = Array.from({ length: count }, () => makeCloudTrailRecord({ accountId: acct }));
      return { records, key: h.sim.putLogFile(bucket, { accountId: acct, region: 'us-east-1', records, time: minutesAgo(minutes) }) };
    };
    const a = file(10, 30);
    await waitFor('file A read', async () => (await checkpoint(id, 's3'))?.last_key === a.key);

    h.sim.failNext('GetObject', 8, 500);
    const b1 = file(15, 20);
    const b2 = file(5, 10);
    const failing = await waitFor('a failed S3 run recorded', async () => {
      const c = await checkpoint(id, 's3');
      return c?.last_error?.startsWith('unavailable') ? c : null;
    });
    expect(failing.last_key).toBe(a.key);
    await waitFor('B files read', async () => (await checkpoint(id, 's3'))?.last_key === b2.key, 45_000);

    // Expired session mid-way: the reader refreshes it and goes on.
    const assumes = h.sim.requests({ action: 'AssumeRole' }).length;
    expect(h.sim.expireAllCredentials()).toBeGreaterThan(0);
    const c = file(7, 5);
    await waitFor('file C read', async () => (await checkpoint(id, 's3'))?.last_key === c.key, 30_000);
    expect(
      h.sim.requests({ accountId: acct }).filter((r) => r.errorCode === 'ExpiredToken' || r.errorCode === 'ExpiredTokenException').length,
    ).toBeGreaterThan(0);
    expect(h.sim.requests({ action: 'AssumeRole' }).length).toBeGreaterThan(assumes);

    const read = await ids(id, 's3');
    const expected = [a, b1, b2, c].flatMap((f) => f.records.map((r) => r.eventID));
    expect(read).toHaveLength(expected.length);
    expect(new Set(read)).toEqual(new Set(expected));
    expect(h.sim.requests({ action: 'GetObject' }).filter((r) => r.status >= 500)).toHaveLength(8);
    const final = await checkpoint(id, 's3');
    expect(final?.last_error).toBeNull();
  }, 90_000);

  it('AccessDenied on S3 GetObject: the account goes to error with the reason, is announced, and the file is not skipped', async () => {
    const acct = '771000000003';
    const bucket = 'fault-logs-771003';
    h.sim.createAccount(acct);
    const { id, roleArn } = await onboard(h, h.a, { awsAccountId: acct, polling: false, s3Bucket: bucket });
    const first = h.sim.putLogFile(bucket, {
      accountId: acct,
      region: 'us-east-1',
      records: [makeCloudTrailRecord({ accountId: acct })],
      time: minutesAgo(20),
    });
    await waitFor('first file read', async () => (await checkpoint(id, 's3'))?.last_key === first);

    h.sim.revokePermission(roleArn, 's3:GetObject');
    h.sim.putLogFile(bucket, {
      accountId: acct,
      region: 'us-east-1',
      records: [makeCloudTrailRecord({ accountId: acct })],
      time: minutesAgo(10),
    });
    const account = await waitFor('status error', async () => {
      const r = await h.t.http.get(`/v1/aws-accounts/${id}`).set(h.a.auth());
      return r.body.status === 'error' ? r.body : null;
    });
    expect(account.statusReason).toMatch(new RegExp(`s3://${bucket}.*denied`));
    const health = account.health.find((x: { source: string }) => x.source === 's3');
    expect(health.lastError).toMatch(/^access_denied: /);
    // The unread file stays ahead of the checkpoint, to be read once access is restored.
    expect(health.lastKey).toBe(first);
    const announced = await ownerQuery<{ data: { accountId: string; status: string; reason: string } }>(
      `SELECT data FROM domain_events WHERE tenant_id = $1 AND type = 'account.status_changed' ORDER BY created_at`,
      [h.a.tenantId],
    );
    expect(announced.map((e) => e.data).filter((d) => d.accountId === id)).toEqual([
      expect.objectContaining({ status: 'active' }),
      expect.objectContaining({ status: 'error', reason: expect.stringMatching(/denied/) }),
    ]);
    // Denied is not retried hot: no more GetObject calls for the account.
    const calls = h.sim.requests({ action: 'GetObject', accountId: acct }).length;
    await new Promise((r) => setTimeout(r, 2500));
    expect(h.sim.requests({ action: 'GetObject', accountId: acct }).length).toBe(calls);
  }, 60_000);
});
