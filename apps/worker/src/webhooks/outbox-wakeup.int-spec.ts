import { QueueEvents } from 'bullmq';
import { Client } from 'pg';
import { loadConfig } from '@trailguard/config';
import { JobQueue, queuePrefix, redisConnection } from '@trailguard/queues';
import { OUTBOX_CHANNEL, OutboxWakeup, RELAY_WAKE_JOB_ID } from './outbox-wakeup';

/** The run's Postgres and Redis (test/global-setup.ts). */
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through jest`);
  return value;
};

describe('OutboxWakeup', () => {
  const redis = redisConnection(env('TG_TEST_REDIS_URL'));
  const queue = new JobQueue(redis);
  const events = new QueueEvents('webhooks', { connection: redis, prefix: queuePrefix('webhooks') });
  const owner = new Client({ connectionString: env('TG_TEST_OWNER_URL') });
  const wakeup = new OutboxWakeup(
    {
      config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
      appDatabaseUrl: env('TG_TEST_APP_URL'),
      redisUrl: env('TG_TEST_REDIS_URL'),
      secretsKey: Buffer.alloc(32),
    },
    queue,
  );
  let tenantId: string;

  beforeAll(async () => {
    await events.waitUntilReady();
    await owner.connect();
    tenantId = (await owner.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'outbox wake-up') RETURNING id`)).rows[0].id;
    await wakeup.onModuleInit();
  });
  afterAll(async () => {
    await wakeup.onApplicationShutdown();
    await owner.query('DELETE FROM tenants WHERE id = $1', [tenantId]);
    await owner.end();
    await events.close();
    await queue.close();
  });

  /** Resolves when a relay wake-up job is added to the webhooks queue. */
  const nextWakeup = () =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no relay wake-up within 5 s')), 5000);
      const onAdded = ({ jobId }: { jobId: string }) => {
        if (jobId !== RELAY_WAKE_JOB_ID) return;
        clearTimeout(timer);
        events.off('added', onAdded);
        resolve();
      };
      events.on('added', onAdded);
    });
  const recordEvent = () =>
    owner.query(`INSERT INTO domain_events (id, tenant_id, type, data) VALUES (gen_random_uuid(), $1, 'finding.created', '{}')`, [
      tenantId,
    ]);

  it('queues a relay run as soon as a transaction that wrote domain events commits', async () => {
    await queue.queue('webhooks').remove(RELAY_WAKE_JOB_ID);
    const woken = nextWakeup();
    await recordEvent();
    await woken;
  });

  it('listens again after its connection is cut', async () => {
    const cut = await owner.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [`LISTEN ${OUTBOX_CHANNEL}`]);
    expect(cut.rowCount).toBeGreaterThan(0);
    await queue.queue('webhooks').remove(RELAY_WAKE_JOB_ID);
    // Wait for the new LISTEN, then the next commit wakes the relay again.
    for (let i = 0; i < 50; i++) {
      const listening = await owner.query(`SELECT 1 FROM pg_stat_activity WHERE query = $1 AND state = 'idle'`, [
        `LISTEN ${OUTBOX_CHANNEL}`,
      ]);
      if (listening.rowCount) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const woken = nextWakeup();
    await recordEvent();
    await woken;
  });
});
