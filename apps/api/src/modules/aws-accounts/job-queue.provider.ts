import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { JobQueue, redisConnection } from '@trailguard/queues';
import { RUNTIME, type Runtime } from '../../common/runtime';

/** The API's producer side of the queues (sync requests, uploads, EventBridge pushes). */
export const jobQueueProvider: Provider = {
  provide: JobQueue,
  inject: [RUNTIME],
  useFactory: (runtime: Runtime) => new JobQueue(redisConnection(runtime.redisUrl)),
};

@Injectable()
export class JobQueueLifecycle implements OnApplicationShutdown {
  constructor(@Inject(JobQueue) private readonly queue: JobQueue) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
