import { Injectable } from '@nestjs/common';
import type { JobOf } from '@trailguard/queues';
import type { JobHandler } from '../job-handler';

// PLACEHOLDER: replaced by the real processor before this lands.
@Injectable()
export class WebhooksRelayProcessor implements JobHandler<'webhooks.relay'> {
  readonly jobName = 'webhooks.relay' as const;

  async handle(_data: JobOf<'webhooks.relay'>): Promise<void> {
    throw new Error('webhooks.relay is not implemented yet');
  }
}
