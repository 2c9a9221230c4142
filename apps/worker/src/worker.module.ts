import { DynamicModule, Injectable, Module, OnApplicationShutdown, type Provider, type Type } from '@nestjs/common';
import { detectShards } from '@trailguard/config';
import { Database } from '@trailguard/db';
import { JobQueue, redisConnection } from '@trailguard/queues';
import { DeliveryAttempts } from '@trailguard/webhooks';
import { JOB_HANDLERS, type JobHandler } from './job-handler';
import { JobRunner } from './job-runner';
import { WORKER_RUNTIME, type WorkerRuntime } from './worker-runtime';
import { PROCESSORS } from './processors';
import { AwsIngestClients } from './ingest/aws-ingest-clients';
import { TrailDriftService } from './integrity/trail-drift.service';
import { LogIntegrityService } from './integrity/log-integrity.service';
import { detectionProviders } from './detection/detection.providers';
import { OutboxWakeup } from './webhooks/outbox-wakeup';
import { deliveryAttemptsProvider } from './webhooks/delivery-attempts.provider';

@Injectable()
class WorkerConnections implements OnApplicationShutdown {
  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly attempts: DeliveryAttempts,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.queue.close(), this.db.close(), this.attempts.close()]);
  }
}

/** The worker process: one provider per job handler, collected for the JobRunner. */
@Module({})
export class WorkerModule {
  static forRoot(runtime: WorkerRuntime, extra: Provider[] = []): DynamicModule {
    const processors: Type<JobHandler>[] = PROCESSORS;
    return {
      module: WorkerModule,
      providers: [
        { provide: WORKER_RUNTIME, useValue: runtime },
        { provide: Database, useFactory: () => new Database({ url: runtime.appDatabaseUrl }) },
        {
          provide: JobQueue,
          useFactory: async () => {
            const queue = new JobQueue(redisConnection(runtime.redisUrl), { detectShards: detectShards(runtime.config) });
            await queue.agreeOnTopology();
            return queue;
          },
        },
        deliveryAttemptsProvider,
        WorkerConnections,
        AwsIngestClients,
        TrailDriftService,
        LogIntegrityService,
        ...detectionProviders,
        ...processors,
        { provide: JOB_HANDLERS, inject: processors, useFactory: (...handlers: JobHandler[]) => handlers },
        JobRunner,
        OutboxWakeup,
        ...extra,
      ],
    };
  }
}
