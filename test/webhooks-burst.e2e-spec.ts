import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { asTenantId, Database, DomainEventsRepository } from '@trailguard/db';
import { startTestApp, startTestWorkers, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';
import { testEnv } from './support/test-env';

const FINDINGS = 10_000;
/**
 * The sweep looks every 2 s, so while the burst is queued it finds thousands of deliveries
 * "overdue": it must recognise them as held by their batch jobs and not send them again.
 */
const OVERRIDES = { WEBHOOK_SWEEP_SECONDS: '2' };

/**
 * An incident: 10,000 findings (and their finding.created events) committed in one transaction.
 * Every alert must reach a real receiver exactly once, signed so that standardwebhooks verifies
 * it, and be recorded as delivered in one attempt.
 */
describe('webhooks: a burst of 10,000 findings', () => {
  let t: TestApp;
  let workers: INestApplicationContext;
  let db: Database;
  let s: TenantSession;
  let server: Server;
  const owner = new Client({ connectionString: testEnv().ownerUrl });
  const receipts = new Map<string, number>();
  const findingIds = new Map<string, number>();
  let unverified = 0;
  let verifier: Webhook | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        };
        try {
          const payload = verifier!.verify(body, headers) as { data: { id: string } };
          findingIds.set(payload.data.id, (findingIds.get(payload.data.id) ?? 0) + 1);
          receipts.set(headers['webhook-id'], (receipts.get(headers['webhook-id']) ?? 0) + 1);
        } catch {
          unverified++;
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t = await startTestApp(OVERRIDES);
    workers = await startTestWorkers(OVERRIDES);
    db = new Database({ url: testEnv().appUrl, poolSize: 2 });
    s = await TenantSession.create(t);
    await owner.connect();
  });

  afterAll(async () => {
    await workers?.close();
    await t?.close();
    await db?.close();
    await owner.end();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('delivers every alert exactly once, verified, and records each as one successful attempt', async () => {
    const { port } = server.address() as AddressInfo;
    const created = await t.http
      .post('/v1/webhooks')
      .set(s.auth())
      .send({ url: `http://127.0.0.1:${port}/hook`, eventTypes: ['finding.created'] })
      .expect(201);
    const endpointId = created.body.id as string;
    verifier = new Webhook(created.body.secret as string);

    await db.forTenant(asTenantId(s.tenantId), async (scope) => {
      const rows = await scope.tx.$queryRaw<Array<{ id: string }>>`
        INSERT INTO findings (id, tenant_id, kind, rule_id, rule_title, severity, status, actor, window_start, tags,
                              event_count, first_seen_at, last_seen_at, updated_at)
        SELECT gen_random_uuid(), ${s.tenantId}::uuid, 'detection', 'burst-rule', 'Burst rule', 'high', 'open',
               'arn:aws:iam::111122223333:user/u' || i, date_trunc('hour', now()), '{}', 1, now(), now(), now()
          FROM generate_series(1, ${FINDINGS}::int) AS i
        RETURNING id`;
      await new DomainEventsRepository().recordMany(
        scope,
        rows.map((r) => ({
          type: 'finding.created' as const,
          data: { id: r.id, ruleId: 'burst-rule', severity: 'high', title: 'Burst rule' },
        })),
      );
    });

    const started = Date.now();
    while (findingIds.size < FINDINGS && Date.now() - started < 150_000) await new Promise((r) => setTimeout(r, 250));
    // Late duplicates (a second runner, a sweep that misjudged a batch) would arrive after the
    // last first-time receipt: give them a few sweep periods.
    await new Promise((r) => setTimeout(r, 5_000));

    expect(unverified).toBe(0);
    expect(findingIds.size).toBe(FINDINGS);
    expect([...findingIds.values()].filter((n) => n !== 1)).toEqual([]);
    expect(receipts.size).toBe(FINDINGS);
    expect([...receipts.values()].filter((n) => n !== 1)).toEqual([]);

    const recorded = await owner.query<{ status: string; attempt_count: number; n: string; attempts: string }>(
      `SELECT d.status, d.attempt_count, count(*) AS n, sum((SELECT count(*) FROM webhook_attempts a WHERE a.tenant_id = d.tenant_id AND a.delivery_id = d.id)) AS attempts
         FROM webhook_deliveries d WHERE d.tenant_id = $1 AND d.endpoint_id = $2 GROUP BY 1, 2`,
      [s.tenantId, endpointId],
    );
    expect(
      recorded.rows.map((r) => ({ status: r.status, attemptCount: r.attempt_count, n: Number(r.n), attempts: Number(r.attempts) })),
    ).toEqual([{ status: 'succeeded', attemptCount: 1, n: FINDINGS, attempts: FINDINGS }]);
  }, 240_000);
});
