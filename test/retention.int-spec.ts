import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Database, prepareDatabase } from '@trailguard/db';
import { MaintenanceRetentionProcessor } from '@trailguard/worker-app';
import { testConfig, testEnv } from './support/test-env';

/**
 * Retention drops what is due and nothing else. It runs on a database of its own: dropping
 * partitions by day would otherwise race the other suites of the run sharing theirs.
 */
const DAY = 24 * 3600_000;
const name = `tg_retention_${process.pid}`;

async function onServer(sql: string): Promise<void> {
  const admin = new Client({ connectionString: testEnv().ownerUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

describe('retention', () => {
  let owner: Client;
  let db: Database;
  let ownerUrl: string;

  beforeAll(async () => {
    await onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await onServer(`CREATE DATABASE "${name}"`);
    const url = new URL(testEnv().ownerUrl);
    url.pathname = `/${name}`;
    ownerUrl = url.toString();
    const { appUrl } = await prepareDatabase(ownerUrl, { appPassword: 'retention-test' });
    db = new Database({ url: appUrl, poolSize: 2 });
    owner = new Client({ connectionString: ownerUrl });
    await owner.connect();
  }, 60_000);

  afterAll(async () => {
    await owner?.end();
    await db?.close();
    await onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('drops due partitions, finished deliveries and findings past each tenant retention, and keeps the rest', async () => {
    const now = new Date();
    const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
    const q = (sql: string, values: unknown[] = []) => owner.query(sql, values);
    // Partitions back to 40 days ago, as if the job had been running that long.
    await q(
      `SELECT tg_ensure_daily_partitions(t, ($1::timestamptz AT TIME ZONE 'UTC')::date, ($2::timestamptz AT TIME ZONE 'UTC')::date + 1)
             FROM unnest(ARRAY['ingested_events', 'domain_events']) t`,
      [ago(40 * DAY), now.toISOString()],
    );

    const [short, long] = [randomUUID(), randomUUID()];
    await q(`INSERT INTO tenants (id, name, retention_days) VALUES ($1, 'short', 1), ($2, 'long', NULL)`, [short, long]);
    const finding = async (tenant: string, lastSeen: string) => {
      const id = randomUUID();
      await q(
        `INSERT INTO findings (id, tenant_id, rule_id, rule_title, severity, actor, window_start, tags, first_seen_at, last_seen_at, event_count, updated_at)
         VALUES ($1, $2, 'r', 'R', 'high', 'a', $3, '{}', $3, $3, 2, now())`,
        [id, tenant, lastSeen],
      );
      await q(`INSERT INTO finding_events (tenant_id, finding_id, event_id, seq) VALUES ($1, $2, 'e1', 1), ($1, $2, 'e2', 2)`, [
        tenant,
        id,
      ]);
      await q(`INSERT INTO finding_activity (id, tenant_id, finding_id, type) VALUES ($1, $2, $3, 'created')`, [randomUUID(), tenant, id]);
      return id;
    };
    await finding(short, ago(2 * DAY)); // due: the tenant keeps 1 day
    const shortNew = await finding(short, ago(3600_000));
    const longOld = await finding(long, ago(2 * DAY));

    const endpoint = randomUUID();
    await q(
      `INSERT INTO webhook_endpoints (id, tenant_id, url, event_types, updated_at) VALUES ($1, $2, 'https://example.com/h', '{}', now())`,
      [endpoint, short],
    );
    const delivery = async (status: string, updatedAt: string) => {
      const id = randomUUID();
      await q(
        `INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, message_id, event_type, body, status, updated_at)
         VALUES ($1, $2, $3, $4, 'finding.created', '{}', $5, $6)`,
        [id, short, endpoint, `msg_${id}`, status, updatedAt],
      );
      await q(
        `INSERT INTO webhook_attempts (id, tenant_id, delivery_id, attempt, latency_ms) VALUES ($1, $2, $3, 1, 5), ($4, $2, $3, 2, 5)`,
        [randomUUID(), short, id, randomUUID()],
      );
      return id;
    };
    await delivery('succeeded', ago(40 * DAY)); // due: finished 40 days ago
    const pendingOld = await delivery('pending', ago(40 * DAY));
    const failedRecent = await delivery('failed', ago(DAY));

    // The ledger: 5 days old (past the 72-hour window) and an hour old.
    await q(
      `INSERT INTO ingested_events (tenant_id, event_id, source, batch_id, event_time) VALUES ($1, 'old', 'upload', 'b', $2), ($1, 'new', 'upload', 'b', $3)`,
      [short, ago(5 * DAY), ago(3600_000)],
    );
    // The outbox: published 40 days ago (due at 30), unpublished 39 days ago (kept: not yet relayed), published today.
    await q(
      `INSERT INTO domain_events (id, tenant_id, type, data, created_at, published_at) VALUES
         ($1, $4, 'finding.created', '{}', $5, $5), ($2, $4, 'finding.created', '{}', $6, NULL), ($3, $4, 'finding.created', '{}', $7, $7)`,
      [randomUUID(), randomUUID(), randomUUID(), short, ago(40 * DAY), ago(39 * DAY), now.toISOString()],
    );

    const processor = new MaintenanceRetentionProcessor(db, {
      config: testConfig({ DEDUP_WINDOW_HOURS: '72', DELIVERY_RETENTION_DAYS: '30', FINDING_RETENTION_DAYS: '90' }),
      appDatabaseUrl: '',
      redisUrl: '',
      secretsKey: Buffer.alloc(32),
    });
    const outcome = await processor.run(now);

    const ids = async (sql: string) => (await q(sql)).rows.map((r: { id: string }) => r.id).sort();
    expect(await ids('SELECT id FROM findings')).toEqual([shortNew, longOld].sort());
    expect(await ids('SELECT finding_id AS id FROM finding_events GROUP BY finding_id')).toEqual([shortNew, longOld].sort());
    expect(await ids('SELECT finding_id AS id FROM finding_activity')).toEqual([shortNew, longOld].sort());
    expect(await ids('SELECT id FROM webhook_deliveries')).toEqual([pendingOld, failedRecent].sort());
    expect(await ids('SELECT delivery_id AS id FROM webhook_attempts GROUP BY delivery_id')).toEqual([pendingOld, failedRecent].sort());
    expect(await ids('SELECT event_id AS id FROM ingested_events')).toEqual(['new']);
    expect((await q('SELECT published_at IS NULL AS pending FROM domain_events ORDER BY created_at')).rows).toEqual([
      { pending: true },
      { pending: false },
    ]);
    expect(outcome.dropped).toMatchObject({
      findings: 1,
      finding_events: 2,
      finding_activity: 1,
      webhook_deliveries: 1,
      webhook_attempts: 2,
      ingested_events: 1,
      domain_events: 1,
    });
    // Whole partitions went: every day of the ledger before the window, the published outbox's old days.
    const parts = async (table: string) =>
      (
        await q(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`, [table])
      ).rows.map((r: { relname: string }) => r.relname);
    const day = (ms: number) => `p${new Date(now.getTime() + ms).toISOString().slice(0, 10).replaceAll('-', '')}`;
    const ledgerParts = await parts('ingested_events');
    expect(ledgerParts).not.toContain(`ingested_events_${day(-5 * DAY)}`);
    expect(ledgerParts).toContain(`ingested_events_${day(-2 * DAY)}`);
    // ... and the coming week's partitions exist.
    expect(ledgerParts).toContain(`ingested_events_${day(6 * DAY)}`);
    const outboxParts = await parts('domain_events');
    expect(outboxParts).not.toContain(`domain_events_${day(-40 * DAY)}`);
    expect(outboxParts).toContain(`domain_events_${day(-39 * DAY)}`);
    expect(outcome.partitions).toContain(`ingested_events_${day(-5 * DAY)}`);

    // A second run finds nothing more to drop.
    const again = await processor.run(now);
    expect(Object.values(again.dropped).every((n) => n === 0)).toBe(true);
  }, 60_000);
});
