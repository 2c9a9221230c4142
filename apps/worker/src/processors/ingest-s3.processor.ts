import { Injectable } from '@nestjs/common';
import type { JobOf } from '@trailguard/queues';
import type { JobHandler } from '../job-handler';

// PLACEHOLDER: replaced by the real processor before this lands.
@Injectable()
export class IngestS3Processor implements JobHandler<'ingest.s3'> {
  readonly jobName = 'ingest.s3' as const;

  async handle(_data: JobOf<'ingest.s3'>): Promise<void> {
    throw new Error('ingest.s3 is not implemented yet');
  }
}
