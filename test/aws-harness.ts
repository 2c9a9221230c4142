// Shared by the aws-*/ingest-* suites: the AWS simulator reached through the SDK's standard
// settings (as an operator would point Trailguard at AWS), the real API, and helpers to onboard.
import { AWS_SDK_ENV_VARS, AwsSimulator, READ_ONLY_TRAIL_PERMISSIONS, type LongTermKeys } from '@trailguard/testing';
import { decodeRecords, type JobQueue } from '@trailguard/queues';
import type { INestApplicationContext } from '@nestjs/common';
import { startTestApp, startTestWorkers, type TestApp } from './support/test-app';
import { TenantSession } from './support/tenant-session';
import { testJobQueue } from './support/test-env';

export const PLATFORM_ACCOUNT = '999988887777';

export interface Harness {
  sim: AwsSimulator;
  platform: LongTermKeys;
  t: TestApp;
  a: TenantSession;
  b: TenantSession;
  /** The producer side of the queues, to look at detect batches in every shard. */
  detect: JobQueue;
  startWorkers(overrides?: Record<string, string>): Promise<INestApplicationContext>;
  close(): Promise<void>;
}

export async function startHarness(config: Record<string, string> = {}): Promise<Harness> {
  const sim = new AwsSimulator();
  await sim.start();
  const platform = sim.createPlatformAccount({ accountId: PLATFORM_ACCOUNT });
  for (const k of AWS_SDK_ENV_VARS) delete process.env[k];
  // Set before any client exists: the SDK reads them when clients are built.
  Object.assign(process.env, sim.sdkEnv(platform));
  const t = await startTestApp(config);
  const a = await TenantSession.create(t);
  const b = await TenantSession.create(t);
  const detect = testJobQueue(undefined, config);
  const contexts: INestApplicationContext[] = [];
  return {
    sim,
    platform,
    t,
    a,
    b,
    detect,
    async startWorkers(overrides = {}) {
      const ctx = await startTestWorkers({ POLL_INTERVAL_SECONDS: '1', ...config, ...overrides });
      contexts.push(ctx);
      return ctx;
    },
    async close() {
      await Promise.allSettled(contexts.map((c) => c.close()));
      await detect.close();
      await t.close();
      await sim.stop();
    },
  };
}

/** Registers an account through the API and creates the matching role in the simulator. */
export async function onboard(
  h: Harness,
  session: TenantSession,
  input: {
    awsAccountId: string;
    regions?: string[];
    polling?: boolean;
    s3Bucket?: string;
    permissions?: string[];
    roleExternalId?: string;
  },
) {
  const created = await h.t.http
    .post('/v1/aws-accounts')
    .set(session.auth())
    .send({
      name: `acct ${input.awsAccountId}`,
      regions: input.regions ?? ['us-east-1'],
      polling: input.polling ?? true,
      ...(input.s3Bucket ? { s3Bucket: input.s3Bucket } : {}),
    })
    .expect(201);
  const { roleArn } = h.sim.createCustomerAccount({
    accountId: input.awsAccountId,
    trustedAccountId: PLATFORM_ACCOUNT,
    externalId: input.roleExternalId ?? created.body.externalId,
    permissions: input.permissions ?? READ_ONLY_TRAIL_PERMISSIONS,
  });
  if (input.s3Bucket) h.sim.createBucket(input.s3Bucket, input.awsAccountId);
  const verified = await h.t.http.post(`/v1/aws-accounts/${created.body.id}/verify`).set(session.auth()).send({ roleArn }).expect(200);
  return {
    id: created.body.id as string,
    externalId: created.body.externalId as string,
    ingestToken: created.body.ingestToken as string,
    roleArn,
    created: created.body,
    verified: verified.body,
  };
}

export interface SeenBatch {
  batchId: string;
  source: string;
  accountId: string;
  eventIds: string[];
}

/** Every detect batch of a tenant still in Redis, whatever its state. */
export async function detectBatches(queue: JobQueue, tenantId: string, accountId?: string): Promise<SeenBatch[]> {
  const states = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed', 'paused', 'waiting-children'] as const;
  const jobs = (await Promise.all(queue.shardsOf('detect').map((q) => q.getJobs([...states], 0, -1)))).flat();
  return jobs
    .filter((j) => j?.data?.tenantId === tenantId && (!accountId || j.data.accountId === accountId))
    .map((j) => ({
      batchId: j.data.batchId as string,
      source: j.data.source as string,
      accountId: j.data.accountId as string,
      eventIds: decodeRecords(j.data.recordsGz as string).map((r) => String(r.eventID)),
    }));
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
