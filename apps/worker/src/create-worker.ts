import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { JobQueue } from '@trailguard/queues';
import { createNestLogger } from '@trailguard/runtime';
import { JobRunner } from './job-runner';
import { WorkerModule } from './worker.module';
import type { WorkerRuntime } from './worker-runtime';

/** Starts the BullMQ workers in a Nest application context; close() drains them. */
export async function startWorkers(runtime: WorkerRuntime): Promise<INestApplicationContext> {
  const ctx = await NestFactory.createApplicationContext(WorkerModule.forRoot(runtime), {
    logger: runtime.config.LOG_LEVEL === 'silent' ? false : createNestLogger(runtime.config),
  });
  await ctx.get(JobRunner).start(ctx.get(JobQueue));
  return ctx;
}
