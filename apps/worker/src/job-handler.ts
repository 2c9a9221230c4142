import type { Job } from 'bullmq';
import type { JobName, JobOf } from '@trailguard/queues';

/** One handler per job name; the runner refuses to start if any name has none. */
export interface JobHandler<N extends JobName = JobName> {
  readonly jobName: N;
  /** Periodic jobs: the runner registers a BullMQ job scheduler with this interval. */
  readonly repeatEveryMs?: number;
  /** `token`: the worker's lock token of the job (for moving it, e.g. back to delayed). */
  handle(data: JobOf<N>, job: Job<JobOf<N>>, token?: string): Promise<void>;
}

export const JOB_HANDLERS = Symbol('JOB_HANDLERS');
