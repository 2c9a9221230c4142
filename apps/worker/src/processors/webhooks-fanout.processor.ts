import { Inject, Injectable, Logger } from '@nestjs/common';
import { asTenantId, Database, WebhooksRepository, type DomainEvent, type NewWebhookDelivery, type WebhookEndpoint } from '@trailguard/db';
import { JobQueue, type JobOf } from '@trailguard/queues';
import { bodyVariant, enqueueDeliverBatches, formatBody, isWebhookEventType } from '@trailguard/webhooks';
import type { JobHandler } from '../job-handler';
import { wantsEvent } from '../webhooks/event-filter';

/**
 * Domain events of one tenant -> one delivery per matching enabled endpoint each, in a fixed
 * number of statements for the whole batch (events and endpoints in one transaction, deliveries
 * in one insert). Each body is built once per format variant from its event (the event's own
 * timestamp, so a re-run builds the same bytes) and stored; the message id `msg_<eventId>` is the
 * receivers' idempotency key across retries and replays. The deliveries this run created leave
 * as per-endpoint batch jobs; one a previous run created belongs to that run's jobs (or, if that
 * run died before queueing it, to the sweep), so a re-run never sends it twice.
 */
@Injectable()
export class WebhooksFanoutProcessor implements JobHandler<'webhooks.fanout'> {
  readonly jobName = 'webhooks.fanout' as const;
  private readonly logger = new Logger('WebhooksFanout');
  private readonly repo = new WebhooksRepository();

  constructor(
    private readonly db: Database,
    @Inject(JobQueue) private readonly queue: JobQueue,
  ) {}

  async handle(data: JobOf<'webhooks.fanout'>): Promise<void> {
    const tenantId = asTenantId(data.tenantId);
    const ids = data.domainEventIds ?? (data.domainEventId ? [data.domainEventId] : []);
    if (ids.length === 0) return;
    const [events, endpoints] = await this.db.forTenant(tenantId, (scope) =>
      Promise.all([this.repo.getDomainEvents(scope, ids), this.repo.enabledEndpoints(scope)]),
    );
    const rows = events.flatMap((event) => this.deliveriesOf(event, endpoints));
    const created = await this.repo.insertDeliveries(this.db, tenantId, rows);
    await enqueueDeliverBatches(this.queue, tenantId, created);
  }

  /** The deliveries of one event: one per endpoint that wants it, with the body of its format. */
  private deliveriesOf(event: DomainEvent, endpoints: WebhookEndpoint[]): NewWebhookDelivery[] {
    const type = event.type;
    if (!isWebhookEventType(type)) {
      this.logger.warn({ type, domainEventId: event.id }, 'domain event type has no webhook; skipped');
      return [];
    }
    const payload = (event.data ?? {}) as Record<string, unknown>;
    // Each format variant's bytes once per event; stored with the delivery, so retries send exactly them.
    const bodies = new Map<string, string>();
    const bodyOf = (e: WebhookEndpoint): string => {
      const variant = bodyVariant(e.payloadFormat, e.url);
      if (!bodies.has(variant)) bodies.set(variant, formatBody(e.payloadFormat, e.url, { type, data: payload, at: event.createdAt }));
      return bodies.get(variant)!;
    };
    return endpoints
      .filter((e) => wantsEvent(e, type, payload))
      .map((e) => ({ endpointId: e.id, messageId: `msg_${event.id}`, eventType: type, body: bodyOf(e) }));
  }
}
