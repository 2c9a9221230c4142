import type { Type } from '@nestjs/common';
import type { JobHandler } from '../job-handler';
import { DetectBatchProcessor } from './detect-batch.processor';
import { IngestPollProcessor } from './ingest-poll.processor';
import { IngestPostureProcessor } from './ingest-posture.processor';
import { IngestS3Processor } from './ingest-s3.processor';
import { IngestScheduleProcessor } from './ingest-schedule.processor';
import { MaintenanceRetentionProcessor } from './maintenance-retention.processor';
import { WebhooksDeliverBatchProcessor } from './webhooks-deliver-batch.processor';
import { WebhooksDeliverProcessor } from './webhooks-deliver.processor';
import { WebhooksFanoutProcessor } from './webhooks-fanout.processor';
import { WebhooksRelayProcessor } from './webhooks-relay.processor';
import { WebhooksSweepProcessor } from './webhooks-sweep.processor';

/** Every job handler of the worker; JobRunner checks each job name has exactly one. */
export const PROCESSORS: Type<JobHandler>[] = [
  DetectBatchProcessor,
  IngestScheduleProcessor,
  IngestPollProcessor,
  IngestS3Processor,
  IngestPostureProcessor,
  WebhooksRelayProcessor,
  WebhooksFanoutProcessor,
  WebhooksDeliverProcessor,
  WebhooksDeliverBatchProcessor,
  WebhooksSweepProcessor,
  MaintenanceRetentionProcessor,
];
