import { Injectable } from '@nestjs/common';
import type { JobOf } from '@trailguard/queues';
import type { JobHandler } from '../job-handler';

// PLACEHOLDER: replaced by the real processor before this lands.
@Injectable()
export class WebhooksFanoutProcessor implements JobHandler<'webhooks.fanout'> {
  readonly jobName = 'webhooks.fanout' as const;

  async handle(_data: JobOf<'webhooks.fanout'>): Promise<void> {
    throw new Error('webhooks.fanout is not implemented yet');
  }
}
