import { Injectable } from '@nestjs/common';
import type { JobOf } from '@trailguard/queues';
import { DetectionService } from '../detection/detection.service';
import type { JobHandler } from '../job-handler';

@Injectable()
export class DetectBatchProcessor implements JobHandler<'detect.batch'> {
  readonly jobName = 'detect.batch' as const;

  constructor(private readonly detection: DetectionService) {}

  async handle(data: JobOf<'detect.batch'>): Promise<void> {
    await this.detection.evaluateBatch(data);
  }
}
