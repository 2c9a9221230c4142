import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { toAwsIngestError } from '../aws.errors';

let cached: Promise<string> | null = null;

/**
 * The AWS account customer roles must trust: PLATFORM_AWS_ACCOUNT_ID when set, otherwise the
 * account of the platform's own credentials (STS GetCallerIdentity, asked once per process).
 */
export function getPlatformAccountId(options: { sts?: STSClient; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const env = options.env ?? process.env;
  const configured = env.PLATFORM_AWS_ACCOUNT_ID;
  if (configured) {
    if (!/^\d{12}$/.test(configured)) return Promise.reject(new Error('PLATFORM_AWS_ACCOUNT_ID must be 12 digits'));
    return Promise.resolve(configured);
  }
  if (options.sts) return callerAccount(options.sts);
  if (!cached) {
    cached = callerAccount(new STSClient({}));
    cached.catch(() => {
      cached = null;
    });
  }
  return cached;
}

async function callerAccount(sts: STSClient): Promise<string> {
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    if (!out.Account) throw new Error('GetCallerIdentity returned no account');
    return out.Account;
  } catch (err) {
    throw toAwsIngestError(err, 'sts:GetCallerIdentity');
  }
}

/** Forgets the process-wide answer (tests switch platform accounts). */
export function resetPlatformAccountIdCache(): void {
  cached = null;
}
