import { Injectable } from '@nestjs/common';
import type { JobOf } from '@trailguard/queues';
import type { JobHandler } from '../job-handler';

// PLACEHOLDER: replaced by the real processor before this lands.
@Injectable()
export class IngestPostureProcessor implements JobHandler<'ingest.posture'> {
  readonly jobName = 'ingest.posture' as const;

  async handle(_data: JobOf<'ingest.posture'>): Promise<void> {
    throw new Error('ingest.posture is not implemented yet');
  }
}
