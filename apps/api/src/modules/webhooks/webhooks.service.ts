import { Injectable } from '@nestjs/common';
import {
  Database,
  WebhooksRepository,
  type ApiKeyRole,
  type PageRequest,
  type Prisma,
  type TenantId,
  type TenantScope,
  type WebhookEndpoint,
} from '@trailguard/db';
import { generateMessageId, generateWebhookSecret, testBody } from '@trailguard/webhooks';
import { deliverJobId } from '@trailguard/queues';
import { DomainError, notFound } from '../../common/domain-error';
import { WebhookInfra } from './webhook-infra';
import { checkFormatUrl, maskWebhookUrl, validateWebhookUrl } from './webhook-url';

const forRole = <V extends { url: string }>(view: V, role: ApiKeyRole): V =>
  role === 'admin' ? view : { ...view, url: maskWebhookUrl(view.url) };
import {
  DEFAULT_GRACE_SECONDS,
  toDeliveryView,
  toWebhookView,
  type CreateWebhookBody,
  type DeliveriesQuery,
  type RotateSecretBody,
  type UpdateWebhookBody,
} from './webhooks.dto';

@Injectable()
export class WebhooksService {
  private readonly repo = new WebhooksRepository();

  constructor(
    private readonly db: Database,
    private readonly infra: WebhookInfra,
  ) {}

  /** Readers below admin see URLs masked: a receiver URL often is the credential. */
  async list(tenantId: TenantId, page: PageRequest, role: ApiKeyRole) {
    const result = await this.db.forTenant(tenantId, (scope) => this.repo.listEndpoints(scope, page));
    return { data: result.data.map((e) => forRole(toWebhookView(e), role)), nextCursor: result.nextCursor };
  }

  async get(tenantId: TenantId, id: string, role: ApiKeyRole) {
    return forRole(toWebhookView(await this.db.forTenant(tenantId, (scope) => this.endpoint(scope, id))), role);
  }

  /** The signing secret is in this response and never again. */
  async create(tenantId: TenantId, body: CreateWebhookBody, actor: string) {
    const url = await validateWebhookUrl(body.url, this.infra.allowPrivate);
    checkFormatUrl(body.payloadFormat, url);
    return this.db.forTenant(tenantId, async (scope) => {
      const created = await this.repo.createEndpoint(scope, {
        url,
        description: body.description ?? null,
        eventTypes: body.eventTypes ?? [],
        minSeverity: body.minSeverity,
        payloadFormat: body.payloadFormat,
      });
      const secret = generateWebhookSecret();
      await this.repo.addSecret(scope, created.id, this.infra.box.encrypt(secret, created.id));
      // A PagerDuty routing key (the URL's fragment) stays out of the audit trail.
      await this.audit(scope, 'endpoint.created', created.id, actor, { url: url.split('#')[0]! });
      return { ...toWebhookView(await this.endpoint(scope, created.id)), secret };
    });
  }

  async update(tenantId: TenantId, id: string, body: UpdateWebhookBody, actor: string) {
    const url = body.url === undefined ? undefined : await validateWebhookUrl(body.url, this.infra.allowPrivate);
    return this.db.forTenant(tenantId, async (scope) => {
      const current = await this.endpoint(scope, id);
      checkFormatUrl(body.payloadFormat ?? current.payloadFormat, url ?? current.url);
      await this.repo.updateEndpoint(scope, id, {
        url,
        description: body.description,
        eventTypes: body.eventTypes,
        minSeverity: body.minSeverity,
        payloadFormat: body.payloadFormat,
        ...enablement(current, body.enabled),
      });
      await this.audit(scope, 'endpoint.updated', id, actor, { fields: Object.keys(body) });
      return toWebhookView(await this.endpoint(scope, id));
    });
  }

  async remove(tenantId: TenantId, id: string, actor: string): Promise<void> {
    await this.db.forTenant(tenantId, async (scope) => {
      if (!(await this.repo.deleteEndpoint(scope, id))) throw notFound('webhook', id);
      await this.audit(scope, 'endpoint.deleted', id, actor, {});
    });
  }

  /** The new secret signs from now on; the previous ones keep signing until the grace ends. */
  async rotateSecret(tenantId: TenantId, id: string, body: RotateSecretBody, actor: string) {
    const graceSeconds = body.graceSeconds ?? DEFAULT_GRACE_SECONDS;
    return this.db.forTenant(tenantId, async (scope) => {
      await this.endpoint(scope, id);
      const secret = generateWebhookSecret();
      const row = await this.repo.addSecret(scope, id, this.infra.box.encrypt(secret, id));
      const previousExpireAt = new Date(Date.now() + graceSeconds * 1000);
      await this.repo.expireSecrets(scope, id, row.id, previousExpireAt);
      await this.audit(scope, 'endpoint.secret_rotated', id, actor, { graceSeconds });
      return { ...toWebhookView(await this.endpoint(scope, id)), secret, previousSecretsExpireAt: previousExpireAt };
    });
  }

  /**
   * Sends a `webhook.test` message now, once, signed like any delivery, and logs it as a
   * delivery of that type. No retries and no effect on the endpoint's failure state.
   */
  async test(tenantId: TenantId, id: string) {
    const delivery = await this.db.forTenant(tenantId, async (scope) => {
      const e = await this.endpoint(scope, id);
      const body = testBody(e.payloadFormat, e.url, e.id, new Date());
      const [d] = await this.repo.createDeliveries(scope, [
        { endpointId: e.id, messageId: generateMessageId(), eventType: 'webhook.test', body },
      ]);
      if (!d) throw new Error('test delivery was not created');
      return d;
    });
    // The worker's sign-send-record path, in test mode: one attempt, no retry, endpoint state untouched.
    const [report] = await this.infra.attempts.run(tenantId, [{ deliveryId: delivery.id, attempt: 1, seriesStart: 1 }], { test: true });
    const result = report?.result;
    if (!result) throw new Error('test delivery was not attempted');
    const error = result.ok ? null : `${result.errorCode ?? 'error'}: ${result.errorMessage ?? `HTTP ${result.status ?? '?'}`}`;
    const view = await this.db.forTenant(tenantId, (scope) => this.repo.getDeliveryWithAttempts(scope, id, delivery.id));
    return {
      ok: result.ok,
      statusCode: result.status ?? null,
      latencyMs: Math.round(result.latencyMs),
      error,
      delivery: view ? toDeliveryView(view) : null,
    };
  }

  async deliveries(tenantId: TenantId, id: string, query: DeliveriesQuery) {
    const page = await this.db.forTenant(tenantId, async (scope) => {
      await this.endpoint(scope, id);
      return this.repo.listDeliveries(scope, id, query);
    });
    return { data: page.data.map(toDeliveryView), nextCursor: page.nextCursor };
  }

  /** A new attempt series for the same message: same webhook-id and body, signed afresh. */
  async redeliver(tenantId: TenantId, id: string, deliveryId: string, actor: string) {
    const attempt = await this.db.forTenant(tenantId, async (scope) => {
      const e = await this.endpoint(scope, id);
      const d = await this.repo.lockDelivery(scope, deliveryId);
      if (!d || d.endpointId !== id) throw notFound('delivery', deliveryId);
      if (d.status === 'pending') {
        throw new DomainError(
          'delivery_in_progress',
          'this delivery is still being attempted; redeliver it once it has succeeded or failed',
        );
      }
      if (!e.enabled) {
        throw new DomainError('endpoint_disabled', 'the endpoint is disabled; enable it (PATCH {"enabled": true}) before redelivering');
      }
      await this.repo.updateDelivery(scope, deliveryId, { status: 'pending', nextAttemptAt: new Date() });
      await this.audit(scope, 'delivery.redelivered', id, actor, { deliveryId });
      return d.attemptCount + 1;
    });
    try {
      await this.infra.queue.add(
        'webhooks.deliver',
        { tenantId, deliveryId, seriesStart: attempt },
        // A fresh id: a job for this attempt number may have run before (a series that ended
        // because the endpoint was disabled leaves one behind).
        { jobId: deliverJobId(deliveryId, attempt, { fresh: true }) },
      );
    } catch (err) {
      // Without its job the delivery would stay pending forever and refuse the next redeliver.
      await this.db.forTenant(tenantId, (scope) => this.repo.updateDelivery(scope, deliveryId, { status: 'failed', nextAttemptAt: null }));
      throw err;
    }
    const view = await this.db.forTenant(tenantId, (scope) => this.repo.getDeliveryWithAttempts(scope, id, deliveryId));
    if (!view) throw notFound('delivery', deliveryId);
    return toDeliveryView(view);
  }

  private async endpoint(scope: TenantScope, id: string) {
    const e = await this.repo.getEndpoint(scope, id);
    if (!e) throw notFound('webhook', id);
    return e;
  }

  private audit(scope: TenantScope, action: string, targetId: string, actor: string, data: Prisma.InputJsonObject) {
    return this.repo.recordAudit(scope, { action, targetType: 'webhook_endpoint', targetId, actor, data });
  }
}

/** Enabling clears why it was disabled and its failure run, so auto-disable starts afresh. */
function enablement(current: WebhookEndpoint, enabled: boolean | undefined) {
  if (enabled === undefined || enabled === current.enabled) return {};
  return enabled
    ? { enabled: true, disabledReason: null, failingSince: null }
    : { enabled: false, disabledReason: 'disabled by an administrator' };
}
