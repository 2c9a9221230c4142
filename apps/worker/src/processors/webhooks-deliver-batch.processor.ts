import { Injectable } from '@nestjs/common';
import { asTenantId } from '@trailguard/db';
import type { JobOf } from '@trailguard/queues';
import { DeliveryAttempts } from '@trailguard/webhooks';
import type { JobHandler } from '../job-handler';
import { observeAttempts } from '../webhooks/webhook-metrics';

/**
 * The first attempts of up to a hundred new deliveries to one endpoint: contexts read in one
 * query, sends in parallel under the endpoint's limit, attempts recorded in one statement.
 * Retries leave as single-delivery jobs with their own delays. Re-running the job is safe:
 * attempts already recorded are not sent again.
 */
@Injectable()
export class WebhooksDeliverBatchProcessor implements JobHandler<'webhooks.deliver-batch'> {
  readonly jobName = 'webhooks.deliver-batch' as const;

  constructor(private readonly attempts: DeliveryAttempts) {}

  async handle(data: JobOf<'webhooks.deliver-batch'>): Promise<void> {
    const reports = await this.attempts.run(
      asTenantId(data.tenantId),
      data.deliveryIds.map((deliveryId) => ({ deliveryId, attempt: 1, seriesStart: 1 })),
    );
    observeAttempts(reports);
  }
}
