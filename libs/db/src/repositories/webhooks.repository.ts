import type { Database, TenantScope } from '../database';
import type {
  DeliveryStatus,
  DomainEvent,
  Prisma,
  Severity,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookSecret,
} from '../generated/client';
import { afterCursor, newestFirst, toPage, type Page, type PageRequest } from '../pagination';
import { asTenantId, type TenantId } from '../tenant-id';

export interface WebhookEndpointInput {
  url: string;
  description?: string | null;
  eventTypes: string[];
  minSeverity: Severity;
}

export interface WebhookEndpointPatch {
  url?: string;
  description?: string | null;
  eventTypes?: string[];
  minSeverity?: Severity;
  enabled?: boolean;
  disabledReason?: string | null;
  failingSince?: Date | null;
}

export type WebhookEndpointWithSecrets = WebhookEndpoint & { secrets: WebhookSecret[] };
export type WebhookDeliveryWithAttempts = WebhookDelivery & { attempts: WebhookAttempt[] };

export interface NewWebhookDelivery {
  endpointId: string;
  messageId: string;
  eventType: string;
  body: string;
}

export interface WebhookAttemptInput {
  deliveryId: string;
  attempt: number;
  statusCode?: number | null;
  latencyMs: number;
  responseSnippet?: string | null;
  error?: string | null;
}

export interface UnpublishedDomainEvent {
  tenantId: TenantId;
  id: string;
}

/** Endpoints, their secrets, deliveries and attempts, and the outbox reads the relay needs. */
export class WebhooksRepository {
  createEndpoint(scope: TenantScope, data: WebhookEndpointInput): Promise<WebhookEndpoint> {
    return scope.tx.webhookEndpoint.create({ data: { ...data, tenantId: scope.tenantId } });
  }

  async listEndpoints(scope: TenantScope, page: PageRequest): Promise<Page<WebhookEndpointWithSecrets>> {
    const rows = await scope.tx.webhookEndpoint.findMany({
      where: { tenantId: scope.tenantId, ...afterCursor(page.cursor) },
      orderBy: newestFirst,
      take: page.limit + 1,
      include: { secrets: { where: activeSecretWhere(new Date()), orderBy: { createdAt: 'desc' } } },
    });
    return toPage(rows, page.limit);
  }

  getEndpoint(scope: TenantScope, id: string): Promise<WebhookEndpointWithSecrets | null> {
    return scope.tx.webhookEndpoint.findUnique({
      where: { tenantId_id: { tenantId: scope.tenantId, id } },
      include: { secrets: { where: activeSecretWhere(new Date()), orderBy: { createdAt: 'desc' } } },
    });
  }

  async updateEndpoint(scope: TenantScope, id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpoint | null> {
    const { count } = await scope.tx.webhookEndpoint.updateMany({ where: { tenantId: scope.tenantId, id }, data: patch });
    if (count === 0) return null;
    return scope.tx.webhookEndpoint.findUnique({ where: { tenantId_id: { tenantId: scope.tenantId, id } } });
  }

  /** Secrets, deliveries and attempts go with it (foreign keys cascade). */
  async deleteEndpoint(scope: TenantScope, id: string): Promise<boolean> {
    const { count } = await scope.tx.webhookEndpoint.deleteMany({ where: { tenantId: scope.tenantId, id } });
    return count > 0;
  }

  /** Enabled endpoints subscribed to `eventType` (an empty list means every type). */
  endpointsFor(scope: TenantScope, eventType: string): Promise<WebhookEndpoint[]> {
    return scope.tx.webhookEndpoint.findMany({
      where: {
        tenantId: scope.tenantId,
        enabled: true,
        OR: [{ eventTypes: { isEmpty: true } }, { eventTypes: { has: eventType } }],
      },
    });
  }

  addSecret(scope: TenantScope, endpointId: string, ciphertext: string): Promise<WebhookSecret> {
    return scope.tx.webhookSecret.create({ data: { tenantId: scope.tenantId, endpointId, ciphertext } });
  }

  /**
   * Starts the grace period of every secret of the endpoint except `keepId`: each expires at
   * `expiresAt`, or earlier if it already had an earlier expiry. Long-expired rows are removed.
   */
  async expireSecrets(scope: TenantScope, endpointId: string, keepId: string, expiresAt: Date): Promise<void> {
    const base = { tenantId: scope.tenantId, endpointId, id: { not: keepId } };
    await scope.tx.webhookSecret.deleteMany({ where: { ...base, expiresAt: { lte: new Date() } } });
    await scope.tx.webhookSecret.updateMany({
      where: { ...base, OR: [{ expiresAt: null }, { expiresAt: { gt: expiresAt } }] },
      data: { expiresAt },
    });
  }

  /** Secrets that still sign, newest first. */
  activeSecrets(scope: TenantScope, endpointId: string, now = new Date()): Promise<WebhookSecret[]> {
    return scope.tx.webhookSecret.findMany({
      where: { tenantId: scope.tenantId, endpointId, ...activeSecretWhere(now) },
      orderBy: { createdAt: 'desc' },
    });
  }

  /** Idempotent: a (endpoint, message) pair that already has a delivery keeps it. */
  async createDeliveries(scope: TenantScope, rows: NewWebhookDelivery[]): Promise<WebhookDelivery[]> {
    if (rows.length === 0) return [];
    await scope.tx.webhookDelivery.createMany({
      data: rows.map((r) => ({ ...r, tenantId: scope.tenantId })),
      skipDuplicates: true,
    });
    const messageIds = [...new Set(rows.map((r) => r.messageId))];
    return scope.tx.webhookDelivery.findMany({
      where: { tenantId: scope.tenantId, messageId: { in: messageIds }, endpointId: { in: rows.map((r) => r.endpointId) } },
    });
  }

  getDelivery(scope: TenantScope, id: string): Promise<WebhookDelivery | null> {
    return scope.tx.webhookDelivery.findUnique({ where: { tenantId_id: { tenantId: scope.tenantId, id } } });
  }

  getDeliveryWithAttempts(scope: TenantScope, endpointId: string, id: string): Promise<WebhookDeliveryWithAttempts | null> {
    return scope.tx.webhookDelivery.findFirst({
      where: { tenantId: scope.tenantId, endpointId, id },
      include: { attempts: { orderBy: { attempt: 'asc' } } },
    });
  }

  /**
   * The delivery row locked for the rest of the transaction: two runners of the same attempt
   * (a stalled job re-run while the first is still sending) serialise here.
   */
  async lockDelivery(scope: TenantScope, id: string): Promise<WebhookDelivery | null> {
    await scope.tx.$queryRaw`SELECT id FROM webhook_deliveries WHERE tenant_id = ${scope.tenantId}::uuid AND id = ${id}::uuid FOR UPDATE`;
    return this.getDelivery(scope, id);
  }

  async listDeliveries(
    scope: TenantScope,
    endpointId: string,
    page: PageRequest & { status?: DeliveryStatus },
  ): Promise<Page<WebhookDeliveryWithAttempts>> {
    const rows = await scope.tx.webhookDelivery.findMany({
      where: {
        tenantId: scope.tenantId,
        endpointId,
        ...(page.status ? { status: page.status } : {}),
        ...afterCursor(page.cursor),
      },
      orderBy: newestFirst,
      take: page.limit + 1,
      include: { attempts: { orderBy: { attempt: 'asc' } } },
    });
    return toPage(rows, page.limit);
  }

  updateDelivery(
    scope: TenantScope,
    id: string,
    data: { status?: DeliveryStatus; attemptCount?: number; nextAttemptAt?: Date | null },
  ): Promise<WebhookDelivery> {
    return scope.tx.webhookDelivery.update({ where: { tenantId_id: { tenantId: scope.tenantId, id } }, data });
  }

  addAttempt(scope: TenantScope, input: WebhookAttemptInput): Promise<WebhookAttempt> {
    return scope.tx.webhookAttempt.create({ data: { ...input, tenantId: scope.tenantId } });
  }

  recordAudit(
    scope: TenantScope,
    entry: { action: string; targetType: string; targetId?: string; actor?: string; data?: Prisma.InputJsonObject },
  ): Promise<unknown> {
    return scope.tx.auditLogEntry.create({ data: { ...entry, tenantId: scope.tenantId } });
  }

  getDomainEvent(scope: TenantScope, id: string): Promise<DomainEvent | null> {
    return scope.tx.domainEvent.findUnique({ where: { tenantId_id: { tenantId: scope.tenantId, id } } });
  }

  /** Oldest outbox rows not yet handed to the queue, across tenants (SECURITY DEFINER look-up). */
  async unpublishedDomainEvents(db: Database, limit: number): Promise<UnpublishedDomainEvent[]> {
    const rows = await db.prisma.$queryRaw<Array<{ tenant_id: string; id: string }>>`
      SELECT * FROM tg_unpublished_domain_events(${limit}::int)`;
    return rows.map((r) => ({ tenantId: asTenantId(r.tenant_id), id: r.id }));
  }

  async markDomainEventsPublished(scope: TenantScope, ids: string[], at = new Date()): Promise<number> {
    const { count } = await scope.tx.domainEvent.updateMany({
      where: { tenantId: scope.tenantId, id: { in: ids }, publishedAt: null },
      data: { publishedAt: at },
    });
    return count;
  }
}

function activeSecretWhere(now: Date) {
  return { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}
