import type { Job } from 'bullmq';
import type { JobName, JobOf } from '@trailguard/queues';

/** One handler per job name; the runner refuses to start if any name has none. */
export interface JobHandler<N extends JobName = JobName> {
  readonly jobName: N;
  handle(data: JobOf<N>, job: Job<JobOf<N>>): Promise<void>;
}

export const JOB_HANDLERS = Symbol('JOB_HANDLERS');
