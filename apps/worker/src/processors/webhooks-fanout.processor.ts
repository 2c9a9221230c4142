import { Inject, Injectable, Logger } from '@nestjs/common';
import { asTenantId, Database, WebhooksRepository, type WebhookEndpoint } from '@trailguard/db';
import { JobQueue, type JobOf } from '@trailguard/queues';
import { bodyVariant, formatBody, isWebhookEventType } from '@trailguard/webhooks';
import type { JobHandler } from '../job-handler';
import { enqueueDeliver } from '../webhooks/deliver-jobs';
import { wantsEvent } from '../webhooks/event-filter';

/**
 * One domain event -> one delivery per matching enabled endpoint of its tenant. The body is
 * built once from the event (its own timestamp, so a re-run builds the same bytes) and stored;
 * the message id `msg_<eventId>` is the receivers' idempotency key across retries and replays.
 * Re-running is safe: deliveries are unique per (endpoint, message) and jobs per attempt.
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
    const pending = await this.db.forTenant(tenantId, async (scope) => {
      const event = await this.repo.getDomainEvent(scope, data.domainEventId);
      if (!event) return [];
      if (!isWebhookEventType(event.type)) {
        this.logger.warn({ type: event.type, domainEventId: event.id }, 'domain event type has no webhook; skipped');
        return [];
      }
      const payload = (event.data ?? {}) as Record<string, unknown>;
      const endpoints = (await this.repo.endpointsFor(scope, event.type)).filter((e) => wantsEvent(e, event.type, payload));
      if (endpoints.length === 0) return [];
      // Each format's bytes once, for the formats these endpoints want; stored with the delivery,
      // so retries send exactly them.
      const type = event.type;
      const bodies = new Map<string, string>();
      const bodyOf = (e: WebhookEndpoint): string => {
        const variant = bodyVariant(e.payloadFormat, e.url);
        if (!bodies.has(variant)) bodies.set(variant, formatBody(e.payloadFormat, e.url, { type, data: payload, at: event.createdAt }));
        return bodies.get(variant)!;
      };
      const messageId = `msg_${event.id}`;
      const deliveries = await this.repo.createDeliveries(
        scope,
        endpoints.map((e) => ({ endpointId: e.id, messageId, eventType: type, body: bodyOf(e) })),
      );
      // Only deliveries that never started; one a previous run already began has its own jobs.
      return deliveries.filter((d) => d.attemptCount === 0 && d.status === 'pending');
    });
    await enqueueDeliver(
      this.queue,
      pending.map((d) => ({ tenantId, deliveryId: d.id, attempt: 1, seriesStart: 1 })),
    );
  }
}
