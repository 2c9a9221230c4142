import { Injectable } from '@nestjs/common';
import type { JobOf } from '@trailguard/queues';
import type { JobHandler } from '../job-handler';

// PLACEHOLDER: replaced by the real processor before this lands.
@Injectable()
export class IngestScheduleProcessor implements JobHandler<'ingest.schedule'> {
  readonly jobName = 'ingest.schedule' as const;

  async handle(_data: JobOf<'ingest.schedule'>): Promise<void> {
    throw new Error('ingest.schedule is not implemented yet');
  }
}
