import { Injectable } from '@nestjs/common';
import type { JobOf } from '@trailguard/queues';
import type { JobHandler } from '../job-handler';

// PLACEHOLDER: replaced by the real processor before this lands.
@Injectable()
export class IngestPollProcessor implements JobHandler<'ingest.poll'> {
  readonly jobName = 'ingest.poll' as const;

  async handle(_data: JobOf<'ingest.poll'>): Promise<void> {
    throw new Error('ingest.poll is not implemented yet');
  }
}
