import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { asTenantId } from '@trailguard/db';
import { attemptOfJobId, type JobOf } from '@trailguard/queues';
import { DeliveryAttempts } from '@trailguard/webhooks';
import type { JobHandler } from '../job-handler';
import { observeAttempts } from '../webhooks/webhook-metrics';

/**
 * One attempt at one delivery (a retry, a redelivery, or one the sweep gave a job again) through
 * the shared sign-send-record path. The attempt number comes from the job id: a job that re-runs
 * after its worker died sees the attempt already counted and only makes sure the next step was
 * scheduled.
 */
@Injectable()
export class WebhooksDeliverProcessor implements JobHandler<'webhooks.deliver'> {
  readonly jobName = 'webhooks.deliver' as const;

  constructor(private readonly attempts: DeliveryAttempts) {}

  async handle(data: JobOf<'webhooks.deliver'>, job: Job<JobOf<'webhooks.deliver'>>): Promise<void> {
    const reports = await this.attempts.run(asTenantId(data.tenantId), [
      { deliveryId: data.deliveryId, attempt: attemptOfJobId(job.id), seriesStart: data.seriesStart ?? 1 },
    ]);
    observeAttempts(reports);
  }
}
