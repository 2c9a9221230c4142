import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { JobQueue } from '@trailguard/queues';
import { WORKER_RUNTIME, type WorkerRuntime } from '../worker-runtime';

/** The channel a trigger on domain_events notifies when a transaction that wrote some commits. */
export const OUTBOX_CHANNEL = 'trailguard_outbox';
/** One wake-up job at a time: while it waits, more notifications add nothing. */
export const RELAY_WAKE_JOB_ID = 'relay-wake';
const RECONNECT_MS = 1000;

/**
 * LISTENs on the outbox channel and runs the relay at once when domain events are committed, so
 * an alert leaves within milliseconds instead of at the relay's next one-second poll. The poll
 * stays: a missed notification (connection lost, a wake-up already running) costs at most that
 * second. The connection is re-established on error.
 */
@Injectable()
export class OutboxWakeup implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxWakeup');
  private client: Client | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  private waking = false;
  private stopped = false;
  /** One warning per outage, not one per reconnect attempt. */
  private warned = false;

  constructor(
    @Inject(WORKER_RUNTIME) private readonly runtime: WorkerRuntime,
    @Inject(JobQueue) private readonly queue: JobQueue,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.listen();
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.runtime.appDatabaseUrl });
    client.on('notification', () => this.wake());
    client.on('error', () => this.retry(client));
    client.on('end', () => this.retry(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.client = client;
      if (this.warned) this.logger.log('listening for outbox notifications again');
      this.warned = false;
    } catch (error) {
      if (!this.warned)
        this.logger.warn(`cannot listen for outbox notifications (the relay still polls every second): ${(error as Error).message}`);
      this.warned = true;
      this.retry(client);
    }
  }

  private retry(client: Client): void {
    if (this.client === client) this.client = undefined;
    client.end().catch(() => undefined);
    if (this.stopped || this.reconnect) return;
    this.reconnect = setTimeout(() => {
      this.reconnect = undefined;
      void this.listen();
    }, RECONNECT_MS);
  }

  private wake(): void {
    if (this.waking) return;
    this.waking = true;
    this.queue
      .add('webhooks.relay', {}, { jobId: RELAY_WAKE_JOB_ID })
      .catch(() => undefined) // Redis away: the poll picks the events up once it is back
      .finally(() => (this.waking = false));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnect);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
