// Test-only (imported by *.int-spec.ts, not exported): runs the AWS simulator and points the
// SDK's standard settings at it, as an operator would with real AWS.
import { AWS_SDK_ENV_VARS, AwsSimulator, type LongTermKeys } from '@trailguard/testing';
import { resetPlatformAccountIdCache } from '../clients/platform-identity';

export const PLATFORM_ACCOUNT_ID = '999988887777';

export interface SimFixture {
  sim: AwsSimulator;
  platform: LongTermKeys;
  /** Clears the simulator and recreates the platform account (new keys, same account id). */
  reset(): void;
  stop(): Promise<void>;
}

export async function startSimFixture(): Promise<SimFixture> {
  const sim = new AwsSimulator();
  await sim.start();
  const saved = Object.fromEntries(AWS_SDK_ENV_VARS.map((k) => [k, process.env[k]]));
  for (const k of AWS_SDK_ENV_VARS) delete process.env[k];
  const fixture: SimFixture = {
    sim,
    platform: sim.createPlatformAccount({ accountId: PLATFORM_ACCOUNT_ID }),
    reset() {
      sim.reset();
      fixture.platform = sim.createPlatformAccount({ accountId: PLATFORM_ACCOUNT_ID });
      Object.assign(process.env, sim.sdkEnv(fixture.platform));
      resetPlatformAccountIdCache();
    },
    async stop() {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await sim.stop();
    },
  };
  Object.assign(process.env, sim.sdkEnv(fixture.platform));
  return fixture;
}
