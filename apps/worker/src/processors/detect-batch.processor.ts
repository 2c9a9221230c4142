import { Injectable } from '@nestjs/common';
import type { JobOf } from '@trailguard/queues';
import type { JobHandler } from '../job-handler';

// PLACEHOLDER: replaced by the real processor before this lands.
@Injectable()
export class DetectBatchProcessor implements JobHandler<'detect.batch'> {
  readonly jobName = 'detect.batch' as const;

  async handle(_data: JobOf<'detect.batch'>): Promise<void> {
    throw new Error('detect.batch is not implemented yet');
  }
}
