import { Injectable } from '@nestjs/common';
import type { JobOf } from '@trailguard/queues';
import type { JobHandler } from '../job-handler';

// PLACEHOLDER: replaced by the real processor before this lands.
@Injectable()
export class WebhooksDeliverProcessor implements JobHandler<'webhooks.deliver'> {
  readonly jobName = 'webhooks.deliver' as const;

  async handle(_data: JobOf<'webhooks.deliver'>): Promise<void> {
    throw new Error('webhooks.deliver is not implemented yet');
  }
}
