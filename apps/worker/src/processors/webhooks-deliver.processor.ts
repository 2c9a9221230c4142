import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';
import { asTenantId, Database, WebhooksRepository, type AttemptContext, type TenantId, type TenantScope } from '@trailguard/db';
import { attemptOfJobId, JobQueue, type JobOf } from '@trailguard/queues';
import {
  DEFAULT_RETRY_SCHEDULE,
  nextAttempt,
  parseRetrySchedule,
  sendWebhook,
  signPayload,
  SsrfSafeAgent,
  type RetryDecision,
  type SecretBox,
  type SendResult,
} from '@trailguard/webhooks';
import type { JobHandler } from '../job-handler';
import { WORKER_RUNTIME, type WorkerRuntime } from '../worker-runtime';
import { enqueueDeliver, webhookSecretBox } from '../webhooks/deliver-jobs';
import { planOutcome } from '../webhooks/outcome-plan';
import { attemptDuration, countOutcome, type DeliveryOutcome } from '../webhooks/webhook-metrics';

type Prepared =
  | { kind: 'nothing' }
  | { kind: 'recorded'; delivery: AttemptContext; jobAttempt: number }
  | { kind: 'send'; delivery: AttemptContext; secrets: string[]; attempt: number };

/**
 * One attempt at one delivery: sign the stored body with every active secret (the message id
 * never changes), send it through the process's SSRF-safe agent, record the attempt, and let the
 * retry policy decide what follows. Idempotent per attempt number (from the job id): a job that
 * re-runs after its worker died sees the attempt already counted and only makes sure the next
 * step was scheduled; two runners racing on one attempt serialise on the delivery row and the
 * loser records nothing (the receiver dedupes the duplicate send by webhook-id).
 */
@Injectable()
export class WebhooksDeliverProcessor implements JobHandler<'webhooks.deliver'>, OnApplicationShutdown {
  readonly jobName = 'webhooks.deliver' as const;
  private readonly logger = new Logger('WebhooksDeliver');
  private readonly repo = new WebhooksRepository();
  private readonly agent: SsrfSafeAgent;
  private readonly box: SecretBox;
  private readonly schedule: readonly number[];

  constructor(
    private readonly db: Database,
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(WORKER_RUNTIME) runtime: WorkerRuntime,
  ) {
    const allow = runtime.config.WEBHOOK_ALLOW_PRIVATE_TARGETS;
    // One agent per process: its keep-alive pool is shared by every delivery.
    this.agent = new SsrfSafeAgent({ allowPrivate: allow, allowHttp: allow });
    this.box = webhookSecretBox(runtime.secretsKey);
    const text = runtime.config.WEBHOOK_RETRY_SCHEDULE;
    this.schedule = text ? parseRetrySchedule(text) : DEFAULT_RETRY_SCHEDULE;
  }

  async handle(data: JobOf<'webhooks.deliver'>, job: Job<JobOf<'webhooks.deliver'>>): Promise<void> {
    const tenantId = asTenantId(data.tenantId);
    const prepared = await this.db.forTenant(tenantId, (scope) => this.prepare(scope, data.deliveryId, attemptOfJobId(job.id)));
    switch (prepared.kind) {
      case 'nothing':
        return;
      case 'recorded':
        return this.resumeAfterRecorded(tenantId, prepared.delivery, prepared.jobAttempt, data.seriesStart ?? 1);
      case 'send':
        return this.attempt(tenantId, prepared, data.seriesStart ?? 1);
    }
  }

  private async prepare(scope: TenantScope, deliveryId: string, jobAttempt: number | undefined): Promise<Prepared> {
    const delivery = await this.repo.attemptContext(scope, deliveryId);
    if (!delivery) return { kind: 'nothing' };
    const attempt = delivery.attemptCount + 1;
    if (jobAttempt !== undefined && jobAttempt < attempt) return { kind: 'recorded', delivery, jobAttempt };
    if (delivery.status !== 'pending') return { kind: 'nothing' };
    if (!delivery.endpointEnabled) {
      // Ends the series so the delivery can be redelivered once the endpoint is enabled again.
      await this.repo.updateDelivery(scope, delivery.id, { status: 'failed', nextAttemptAt: null });
      countOutcome('skipped');
      return { kind: 'nothing' };
    }
    const secrets = delivery.secretCiphertexts.map((c) => this.box.decrypt(c, delivery.endpointId));
    return { kind: 'send', delivery, secrets, attempt };
  }

  /** The attempt was recorded but its runner died before scheduling the next one. */
  private async resumeAfterRecorded(tenantId: TenantId, d: AttemptContext, jobAttempt: number, seriesStart: number): Promise<void> {
    if (d.status !== 'pending' || d.attemptCount !== jobAttempt || !d.nextAttemptAt) return;
    const delayMs = d.nextAttemptAt.getTime() - Date.now();
    await enqueueDeliver(this.queue, [{ tenantId, deliveryId: d.id, attempt: jobAttempt + 1, seriesStart, delayMs }]);
  }

  private async attempt(tenantId: TenantId, p: Extract<Prepared, { kind: 'send' }>, seriesStart: number): Promise<void> {
    const { delivery, attempt } = p;
    const startedAt = new Date();
    const headers = signPayload({ msgId: delivery.messageId, timestamp: startedAt, body: delivery.body, secrets: p.secrets });
    const result = await sendWebhook({ url: delivery.url, body: delivery.body, headers, dispatcher: this.agent });
    attemptDuration.observe(result.latencyMs / 1000);
    const decision = nextAttempt({ attempt: Math.max(1, attempt - seriesStart + 1), outcome: result, schedule: this.schedule });

    const outcome = await this.db.forTenant(tenantId, (scope) => this.record(scope, delivery, attempt, result, decision));
    if (outcome === undefined) return;
    countOutcome(outcome);
    if (outcome === 'retry' && decision.action === 'retry') {
      await enqueueDeliver(this.queue, [{ tenantId, deliveryId: delivery.id, attempt: attempt + 1, seriesStart, delayMs: decision.delayMs }]);
    }
    if (!result.ok) {
      this.logger.log(
        { deliveryId: delivery.id, attempt, status: result.status, error: result.errorCode, next: outcome },
        'webhook attempt failed',
      );
    }
  }

  /** Records the attempt and applies the decision; undefined when another runner already did. */
  private async record(
    scope: TenantScope,
    ctx: AttemptContext,
    attempt: number,
    result: SendResult,
    decision: RetryDecision,
  ): Promise<DeliveryOutcome | undefined> {
    const now = new Date();
    const plan = planOutcome(ctx, decision, now);
    const recorded = await this.repo.recordAttempt(scope, {
      deliveryId: ctx.id,
      attempt,
      statusCode: result.status ?? null,
      latencyMs: Math.round(result.latencyMs),
      responseSnippet: clean(result.responseSnippet),
      error: result.ok ? null : clean(`${result.errorCode ?? 'error'}: ${result.errorMessage ?? `HTTP ${result.status ?? '?'}`}`),
      status: plan.status,
      nextAttemptAt: plan.nextAttemptAt,
    });
    if (!recorded) return undefined;
    if (plan.outcome === 'succeeded') {
      if (ctx.failingSince) await this.repo.clearFailing(scope, ctx.endpointId);
    } else {
      // Only when the endpoint had no run of failures yet; markFailing keeps an existing start.
      await this.repo.markFailing(scope, ctx.endpointId, ctx.failingSince, now);
    }
    if (plan.disableReason) await this.disable(scope, ctx.endpointId, plan.disableReason, { deliveryId: ctx.id });
    return plan.outcome;
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

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }
}

/** Postgres text cannot hold NUL; receivers' answers are arbitrary bytes. */
function clean(text: string | undefined): string | null {
  return text === undefined ? null : text.replace(/\u0000/g, '');
}

