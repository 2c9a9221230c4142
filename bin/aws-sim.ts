/**
 * Starts the AWS simulator standalone: `node -r @swc-node/register bin/aws-sim.ts`.
 * AWS_SIM_PORT (default 4566), AWS_SIM_HOST (default 127.0.0.1),
 * AWS_SIM_PLATFORM_ACCOUNT_ID (default 123456789012): a platform account is created at start.
 */
import { AwsSimulator } from '@trailguard/testing';

async function main(): Promise<void> {
  const port = Number(process.env.AWS_SIM_PORT ?? 4566);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid AWS_SIM_PORT ${process.env.AWS_SIM_PORT}`);
  const sim = new AwsSimulator({ port, host: process.env.AWS_SIM_HOST ?? '127.0.0.1' });
  const endpoint = await sim.start();
  const platform = sim.createPlatformAccount({ accountId: process.env.AWS_SIM_PLATFORM_ACCOUNT_ID ?? '123456789012' });
  const lines = [
    `AWS simulator (STS, CloudTrail, S3) listening on ${endpoint}`,
    `Control API: ${endpoint}/_sim/... (see libs/testing/README.md)`,
    '',
    'Point the AWS SDK at it:',
    `  export AWS_ENDPOINT_URL=${endpoint}`,
    '  export AWS_REGION=us-east-1',
    `  export AWS_ACCESS_KEY_ID=${platform.accessKeyId}`,
    `  export AWS_SECRET_ACCESS_KEY=${platform.secretAccessKey}`,
    `  # platform account ${platform.accountId} (${platform.arn})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const shutdown = (): void => {
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`aws-sim failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
