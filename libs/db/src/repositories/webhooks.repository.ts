import type { Database, SqlQuery, TenantScope } from '../database';
import type {
  DeliveryStatus,
  DomainEvent,
  Prisma,
  Severity,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookPayloadFormat,
  WebhookSecret,
} from '../generated/client';
import { afterCursor, newestFirst, toPage, type Page, type PageRequest } from '../pagination';
import { asTenantId, type TenantId } from '../tenant-id';

export interface WebhookEndpointInput {
  url: string;
  description?: string | null;
  eventTypes: string[];
  minSeverity: Severity;
  /** Default `standard`. */
  payloadFormat?: WebhookPayloadFormat;
}

export interface WebhookEndpointPatch {
  url?: string;
  description?: string | null;
  eventTypes?: string[];
  minSeverity?: Severity;
  payloadFormat?: WebhookPayloadFormat;
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

export interface AttemptContext {
  id: string;
  endpointId: string;
  messageId: string;
  body: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: Date | null;
  url: string;
  endpointEnabled: boolean;
  failingSince: Date | null;
  secretCiphertexts: string[];
}

interface AttemptContextRow {
  id: string;
  endpoint_id: string;
  message_id: string;
  body: string;
  status: DeliveryStatus;
  attempt_count: number;
  next_attempt_at: Date | null;
  url: string;
  enabled: boolean;
  failing_since: Date | null;
  secrets: string[];
}

export interface UnpublishedDomainEvent {
  tenantId: TenantId;
  id: string;
}

export interface OverdueDelivery {
  tenantId: TenantId;
  id: string;
  attemptCount: number;
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

  /** The tenant's enabled endpoints (fan-out matches a batch of events of any type against them). */
  enabledEndpoints(scope: TenantScope): Promise<WebhookEndpoint[]> {
    return scope.tx.webhookEndpoint.findMany({ where: { tenantId: scope.tenantId, enabled: true } });
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

  /**
   * Idempotent: a (endpoint, message) pair that already has a delivery keeps it. Returns the
   * delivery of every given pair, whether created now or by an earlier run.
   */
  async createDeliveries(scope: TenantScope, rows: NewWebhookDelivery[]): Promise<WebhookDelivery[]> {
    if (rows.length === 0) return [];
    const created = await scope.tx.webhookDelivery.createManyAndReturn({
      data: rows.map((r) => ({ ...r, tenantId: scope.tenantId })),
      skipDuplicates: true,
    });
    if (created.length === rows.length) return created;
    return scope.tx.webhookDelivery.findMany({
      where: {
        tenantId: scope.tenantId,
        OR: rows.map((r) => ({ endpointId: r.endpointId, messageId: r.messageId })),
      },
    });
  }

  /**
   * Fan-out's insert: one statement for any number of deliveries, in one round trip. A pair
   * (endpoint, message) that already has a delivery keeps it; returns only the deliveries this
   * call created (ids and endpoints: the bodies stay in the database until sent).
   */
  async insertDeliveries(
    db: Database,
    tenantId: TenantId,
    rows: readonly NewWebhookDelivery[],
  ): Promise<Array<{ id: string; endpointId: string }>> {
    if (rows.length === 0) return [];
    const [created = []] = await db.writeAsTenant<{ id: string; endpointId: string }>(tenantId, [
      {
        text: `INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, message_id, event_type, body, updated_at)
               SELECT gen_random_uuid(), $1::uuid, r.e, r.m, r.t, r.b, now()
                 FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS r(e, m, t, b)
               ON CONFLICT DO NOTHING
               RETURNING id, endpoint_id AS "endpointId"`,
        values: [
          tenantId,
          rows.map((r) => r.endpointId),
          rows.map((r) => r.messageId),
          rows.map((r) => r.eventType),
          rows.map((r) => r.body),
        ],
      },
    ]);
    return created;
  }

  /**
   * Everything the attempts at these deliveries need, in one round trip for any number of them:
   * each delivery, its endpoint's URL and state, and the ciphertexts of the secrets that still
   * sign (newest first). Deliveries not found are left out.
   */
  async attemptContexts(db: Database, tenantId: TenantId, deliveryIds: readonly string[]): Promise<AttemptContext[]> {
    if (deliveryIds.length === 0) return [];
    const [rows = []] = await db.readAsTenant<AttemptContextRow>(tenantId, [
      {
        text: `SELECT d.id, d.endpoint_id, d.message_id, d.body, d.status::text AS status, d.attempt_count, d.next_attempt_at,
                      e.url, e.enabled, e.failing_since,
                      COALESCE(array_agg(s.ciphertext ORDER BY s.created_at DESC) FILTER (WHERE s.id IS NOT NULL), '{}') AS secrets
                 FROM webhook_deliveries d
                 JOIN webhook_endpoints e ON e.tenant_id = d.tenant_id AND e.id = d.endpoint_id
                 LEFT JOIN webhook_secrets s ON s.tenant_id = d.tenant_id AND s.endpoint_id = d.endpoint_id
                      AND (s.expires_at IS NULL OR s.expires_at > clock_timestamp())
                WHERE d.tenant_id = $1::uuid AND d.id = ANY($2::uuid[])
                GROUP BY d.id, e.id`,
        values: [tenantId, deliveryIds],
      },
    ]);
    return rows.map((r) => ({
      id: r.id,
      endpointId: r.endpoint_id,
      messageId: r.message_id,
      body: r.body,
      status: r.status,
      attemptCount: r.attempt_count,
      nextAttemptAt: r.next_attempt_at,
      url: r.url,
      endpointEnabled: r.enabled,
      failingSince: r.failing_since,
      secretCiphertexts: r.secrets,
    }));
  }

  /**
   * Records many attempts with their deliveries' new states, ends the series of `skipped`
   * deliveries, and applies the endpoints' failure-run changes: one transaction in one round
   * trip. Each attempt is recorded only if its delivery has exactly `attempt - 1` attempts: of
   * two runners of the same attempt (a stalled job re-run while the first is still sending) the
   * second waits on the row lock, finds the count moved on, and records nothing. Returns the
   * delivery ids this call recorded.
   */
  async recordAttempts(
    db: Database,
    tenantId: TenantId,
    inputs: ReadonlyArray<WebhookAttemptInput & { status: DeliveryStatus; nextAttemptAt: Date | null }>,
    changes: { skipped?: string[]; clearFailing?: string[]; markFailing?: string[]; at?: Date } = {},
  ): Promise<Set<string>> {
    const col = <T>(f: (i: (typeof inputs)[number]) => T) => inputs.map(f);
    const statements: SqlQuery[] = [
      {
        text: `WITH v AS (
                 SELECT * FROM unnest($2::uuid[], $3::int[], $4::text[], $5::timestamptz[], $6::int[], $7::int[], $8::text[], $9::text[])
                   AS v(id, attempt, status, next_at, status_code, latency_ms, snippet, error)),
               d AS (
                 UPDATE webhook_deliveries w
                    SET status = v.status::"DeliveryStatus", attempt_count = v.attempt, next_attempt_at = v.next_at, updated_at = now()
                   FROM v
                  WHERE w.tenant_id = $1::uuid AND w.id = v.id AND w.attempt_count = v.attempt - 1
                  RETURNING w.id)
               INSERT INTO webhook_attempts (id, tenant_id, delivery_id, attempt, status_code, latency_ms, response_snippet, error)
               SELECT gen_random_uuid(), $1::uuid, v.id, v.attempt, v.status_code, v.latency_ms, v.snippet, v.error
                 FROM v JOIN d ON d.id = v.id
               RETURNING delivery_id AS id`,
        values: [
          tenantId,
          col((i) => i.deliveryId),
          col((i) => i.attempt),
          col((i) => i.status),
          col((i) => i.nextAttemptAt),
          col((i) => i.statusCode ?? null),
          col((i) => i.latencyMs),
          col((i) => i.responseSnippet ?? null),
          col((i) => i.error ?? null),
        ],
      },
    ];
    if (changes.skipped?.length) {
      statements.push({
        text: `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, updated_at = now()
                WHERE tenant_id = $1::uuid AND id = ANY($2::uuid[]) AND status = 'pending'`,
        values: [tenantId, changes.skipped],
      });
    }
    if (changes.clearFailing?.length) {
      statements.push({
        text: `UPDATE webhook_endpoints SET failing_since = NULL, updated_at = now()
                WHERE tenant_id = $1::uuid AND id = ANY($2::uuid[]) AND failing_since IS NOT NULL`,
        values: [tenantId, changes.clearFailing],
      });
    }
    if (changes.markFailing?.length) {
      // Only endpoints with no run of failures yet: an existing start is kept.
      statements.push({
        text: `UPDATE webhook_endpoints SET failing_since = $3, updated_at = now()
                WHERE tenant_id = $1::uuid AND id = ANY($2::uuid[]) AND failing_since IS NULL`,
        values: [tenantId, changes.markFailing, changes.at ?? new Date()],
      });
    }
    const [recorded = []] = await db.writeAsTenant<{ id: string }>(tenantId, statements);
    return new Set(recorded.map((r) => r.id));
  }

  /** Disables an enabled endpoint; false when it already was disabled. */
  async disableEndpoint(scope: TenantScope, id: string, reason: string): Promise<boolean> {
    const { count } = await scope.tx.webhookEndpoint.updateMany({
      where: { tenantId: scope.tenantId, id, enabled: true },
      data: { enabled: false, disabledReason: reason },
    });
    return count > 0;
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

  getDomainEvents(scope: TenantScope, ids: string[]): Promise<DomainEvent[]> {
    return scope.tx.domainEvent.findMany({
      where: { tenantId: scope.tenantId, id: { in: ids } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** Oldest outbox rows not yet handed to the queue, across tenants (SECURITY DEFINER look-up). */
  async unpublishedDomainEvents(db: Database, limit: number): Promise<UnpublishedDomainEvent[]> {
    const rows = await db.prisma.$queryRaw<Array<{ tenant_id: string; id: string }>>`
      SELECT * FROM tg_unpublished_domain_events(${limit}::int)`;
    return rows.map((r) => ({ tenantId: asTenantId(r.tenant_id), id: r.id }));
  }

  /** Pending deliveries, any tenant, whose next attempt was due before `before` (SECURITY DEFINER look-up, ids only). */
  async overdueDeliveries(db: Database, before: Date, limit: number): Promise<OverdueDelivery[]> {
    const rows = await db.prisma.$queryRaw<Array<{ tenant_id: string; id: string; attempt_count: number }>>`
      SELECT * FROM tg_overdue_webhook_deliveries(${before}::timestamptz, ${limit}::int)`;
    return rows.map((r) => ({ tenantId: asTenantId(r.tenant_id), id: r.id, attemptCount: r.attempt_count }));
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
