import { Injectable } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { asTenantId } from '@trailguard/db';
import type { JobOf } from '@trailguard/queues';
import { DeliveryAttempts } from '@trailguard/webhooks';
import type { JobHandler } from '../job-handler';
import { observeAttempts } from '../webhooks/webhook-metrics';

/** How long a batch for a congested endpoint waits before it looks again. */
const STEP_BACK_MS = 2_000;

/**
 * The first attempts of up to a hundred new deliveries to one endpoint: contexts read in one
 * query, sends in parallel under the endpoint's limit, attempts recorded in one statement.
 * Retries leave as single-delivery jobs with their own delays. Re-running the job is safe:
 * attempts already recorded are not sent again. While the endpoint is a congested slow receiver
 * in this process, the job steps back (delayed, not failed) instead of holding a worker slot
 * that other endpoints' deliveries could use.
 */
@Injectable()
export class WebhooksDeliverBatchProcessor implements JobHandler<'webhooks.deliver-batch'> {
  readonly jobName = 'webhooks.deliver-batch' as const;

  constructor(private readonly attempts: DeliveryAttempts) {}

  async handle(data: JobOf<'webhooks.deliver-batch'>, job: Job<JobOf<'webhooks.deliver-batch'>>, token?: string): Promise<void> {
    if (token && this.attempts.limiter.congested(data.endpointId)) {
      await job.moveToDelayed(Date.now() + STEP_BACK_MS, token);
      throw new DelayedError();
    }
    const reports = await this.attempts.run(
      asTenantId(data.tenantId),
      data.deliveryIds.map((deliveryId) => ({ deliveryId, attempt: 1, seriesStart: 1 })),
    );
    observeAttempts(reports);
  }
}
