import { Logger } from '@nestjs/common';
import {
  WebhooksRepository,
  type AttemptContext,
  type Database,
  type DeliveryStatus,
  type TenantId,
  type TenantScope,
} from '@trailguard/db';
import type { JobQueue } from '@trailguard/queues';
import { enqueueDeliver, type DeliverJobInput } from './deliver-jobs';
import { EndpointLimiter } from './endpoint-limiter';
import { planOutcome } from './outcome-plan';
import { nextAttempt, type RetryDecision } from './retry-policy';
import type { SecretBox } from './secret-box';
import type { SsrfSafeAgent } from './ssrf-dispatcher';
import { signPayload } from './webhook-signature';
import { sendWebhook, type SendResult } from './webhook-sender';

/** Outcome of one delivery attempt, as the retry policy decided it (or why none was made). */
export type DeliveryOutcome = 'succeeded' | 'retry' | 'failed' | 'endpoint_disabled' | 'skipped';

export interface AttemptRequest {
  deliveryId: string;
  /** The attempt number the caller's job stands for; undefined: the next one. */
  attempt?: number;
  /** Attempt number at which this attempt series began (the retry schedule counts from it). */
  seriesStart: number;
}

export interface AttemptReport {
  deliveryId: string;
  /** Undefined: nothing was recorded by this call (already done, or another runner did it). */
  outcome?: DeliveryOutcome;
  result?: SendResult;
}

export interface DeliveryAttemptsOptions {
  db: Database;
  queue: JobQueue;
  box: SecretBox;
  agent: SsrfSafeAgent;
  schedule: readonly number[];
  /** Sends in flight per endpoint in this process. */
  perEndpoint?: number;
}

type Send = { ctx: AttemptContext; attempt: number; seriesStart: number; secrets: string[] };
type Sent = Send & { result: SendResult; decision: RetryDecision; at: Date };

/**
 * The one sign-send-record path of every webhook attempt: the worker's deliveries (in batches or
 * one at a time), redeliveries (a worker job) and the API's test send. For a set of deliveries
 * of one tenant it costs a fixed number of statements whatever their number: their contexts in
 * one read; the sends in parallel under a per-endpoint limit; the attempts and the deliveries'
 * new states in one statement; each endpoint-state change in one more; retries queued in one
 * bulk. Idempotent per attempt number: an attempt already recorded is not sent again (only its
 * next job is made sure of), and of two runners of one attempt only one records it (the
 * receiver dedupes the duplicate send by webhook-id).
 */
export class DeliveryAttempts {
  private readonly logger = new Logger('WebhookAttempts');
  private readonly repo = new WebhooksRepository();
  readonly limiter: EndpointLimiter;

  constructor(private readonly o: DeliveryAttemptsOptions) {
    this.limiter = new EndpointLimiter(o.perEndpoint ?? 16);
  }

  async run(tenantId: TenantId, requests: readonly AttemptRequest[], mode: { test?: boolean } = {}): Promise<AttemptReport[]> {
    const contexts = new Map(
      (
        await this.repo.attemptContexts(
          this.o.db,
          tenantId,
          requests.map((r) => r.deliveryId),
        )
      ).map((c) => [c.id, c]),
    );
    const sends: Send[] = [];
    const resumes: DeliverJobInput[] = [];
    const skipped: string[] = [];
    const reports: AttemptReport[] = [];
    const secretsOf = new Map<string, string[]>();
    for (const r of requests) {
      const ctx = contexts.get(r.deliveryId);
      if (!ctx) continue;
      const attempt = ctx.attemptCount + 1;
      if (r.attempt !== undefined && r.attempt < attempt) {
        // Recorded, but its runner died before queueing the next one.
        if (ctx.status === 'pending' && ctx.attemptCount === r.attempt && ctx.nextAttemptAt) {
          resumes.push({
            tenantId,
            deliveryId: ctx.id,
            attempt: r.attempt + 1,
            seriesStart: r.seriesStart,
            delayMs: ctx.nextAttemptAt.getTime() - Date.now(),
          });
        }
        continue;
      }
      if (ctx.status !== 'pending') continue;
      if (!ctx.endpointEnabled && !mode.test) {
        // Ends the series so the delivery can be redelivered once the endpoint is enabled again.
        skipped.push(ctx.id);
        reports.push({ deliveryId: ctx.id, outcome: 'skipped' });
        continue;
      }
      let secrets = secretsOf.get(ctx.endpointId);
      if (!secrets) {
        secrets = ctx.secretCiphertexts.map((c) => this.o.box.decrypt(c, ctx.endpointId));
        secretsOf.set(ctx.endpointId, secrets);
      }
      sends.push({ ctx, attempt, seriesStart: r.seriesStart, secrets });
    }

    const sent = await Promise.all(sends.map((s) => this.limiter.run(s.ctx.endpointId, () => this.send(s, mode))));
    if (sent.length > 0 || skipped.length > 0) reports.push(...(await this.record(tenantId, sent, skipped, mode)));
    const outcomes = new Map(reports.map((r) => [r.deliveryId, r.outcome]));
    const retries = sent.flatMap((s) =>
      outcomes.get(s.ctx.id) === 'retry' && s.decision.action === 'retry'
        ? [{ tenantId, deliveryId: s.ctx.id, attempt: s.attempt + 1, seriesStart: s.seriesStart, delayMs: s.decision.delayMs }]
        : [],
    );
    await enqueueDeliver(this.o.queue, [...resumes, ...retries]);
    for (const s of sent) {
      if (s.result.ok) continue;
      const outcome = outcomes.get(s.ctx.id);
      this.logger.log(
        { deliveryId: s.ctx.id, attempt: s.attempt, status: s.result.status, error: s.result.errorCode, next: outcome },
        'webhook attempt failed',
      );
    }
    return reports;
  }

  /** Signs the stored body with every active secret (the message id never changes) and sends it. */
  private async send(s: Send, mode: { test?: boolean }): Promise<Sent> {
    const at = new Date();
    const headers = signPayload({ msgId: s.ctx.messageId, timestamp: at, body: s.ctx.body, secrets: s.secrets });
    const result = await sendWebhook({ url: s.ctx.url, body: s.ctx.body, headers, dispatcher: this.o.agent });
    // A test send is one attempt, never retried: success or failure is its whole story.
    const decision: RetryDecision = mode.test
      ? result.ok
        ? { action: 'succeeded' }
        : { action: 'failed', reason: 'not_retryable' }
      : nextAttempt({ attempt: Math.max(1, s.attempt - s.seriesStart + 1), outcome: result, schedule: this.o.schedule });
    return { ...s, result, decision, at };
  }

  /** One round trip records every attempt and endpoint-state change; disabling (rare) takes its own. */
  private async record(tenantId: TenantId, sent: Sent[], skipped: string[], mode: { test?: boolean }): Promise<AttemptReport[]> {
    const now = new Date();
    const planned = sent.map((s) => ({ s, plan: mode.test ? testPlan(s.result) : planOutcome(s.ctx, s.decision, now) }));
    // An endpoint that answered once in this set works: its run of failures ends. One whose every
    // attempt here failed starts a run unless it has one (its start is kept). A test send
    // changes neither.
    const succeeded = new Set(planned.filter(({ plan }) => plan.outcome === 'succeeded').map(({ s }) => s.ctx.endpointId));
    const failed = new Set(planned.filter(({ plan }) => plan.outcome !== 'succeeded').map(({ s }) => s.ctx.endpointId));
    const wasFailing = new Set(planned.filter(({ s }) => s.ctx.failingSince).map(({ s }) => s.ctx.endpointId));
    const recorded = await this.repo.recordAttempts(
      this.o.db,
      tenantId,
      planned.map(({ s, plan }) => ({
        deliveryId: s.ctx.id,
        attempt: s.attempt,
        statusCode: s.result.status ?? null,
        latencyMs: Math.round(s.result.latencyMs),
        responseSnippet: clean(s.result.responseSnippet),
        error: s.result.ok ? null : clean(`${s.result.errorCode ?? 'error'}: ${s.result.errorMessage ?? `HTTP ${s.result.status ?? '?'}`}`),
        status: plan.status,
        nextAttemptAt: plan.nextAttemptAt,
      })),
      {
        skipped,
        clearFailing: mode.test ? [] : [...succeeded].filter((id) => wasFailing.has(id)),
        markFailing: mode.test ? [] : [...failed].filter((id) => !succeeded.has(id)),
        at: now,
      },
    );
    const disabled = new Map<string, { reason: string; deliveryId: string }>();
    for (const { s, plan } of planned) {
      if (plan.disableReason && recorded.has(s.ctx.id) && !disabled.has(s.ctx.endpointId)) {
        disabled.set(s.ctx.endpointId, { reason: plan.disableReason, deliveryId: s.ctx.id });
      }
    }
    if (disabled.size > 0 && !mode.test) {
      await this.o.db.forTenant(tenantId, async (scope) => {
        for (const [endpointId, d] of disabled) await this.disable(scope, endpointId, d.reason, { deliveryId: d.deliveryId });
      });
    }
    return planned.map(({ s, plan }) => ({
      deliveryId: s.ctx.id,
      result: s.result,
      ...(recorded.has(s.ctx.id) ? { outcome: plan.outcome } : {}),
    }));
  }

  /** Closes the agent's keep-alive pool. */
  async close(): Promise<void> {
    await this.o.agent.close();
  }

  private async disable(scope: TenantScope, endpointId: string, reason: string, data: Record<string, string>): Promise<void> {
    if (!(await this.repo.disableEndpoint(scope, endpointId, reason))) return;
    await this.repo.recordAudit(scope, {
      action: 'endpoint.disabled',
      targetType: 'webhook_endpoint',
      targetId: endpointId,
      actor: 'system',
      data: { reason, ...data },
    });
    this.logger.warn({ tenantId: scope.tenantId, endpointId, reason }, 'webhook endpoint disabled');
  }
}

function testPlan(result: SendResult): { outcome: DeliveryOutcome; status: DeliveryStatus; nextAttemptAt: null; disableReason?: string } {
  return result.ok
    ? { outcome: 'succeeded', status: 'succeeded', nextAttemptAt: null }
    : { outcome: 'failed', status: 'failed', nextAttemptAt: null };
}

/** Postgres text cannot hold NUL; receivers' answers are arbitrary bytes. */
function clean(text: string | undefined): string | null {
  return text === undefined ? null : text.replace(/\u0000/g, '');
}
