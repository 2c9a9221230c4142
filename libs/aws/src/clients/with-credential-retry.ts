import { AwsIngestError, isExpiredCredentialsError, toAwsIngestError } from '../aws.errors';
import type { AssumeRoleTarget } from '../credentials/assumed-credentials-cache';
import type { CustomerAwsClients } from './customer-aws-clients';

/**
 * Runs an AWS call; when the credentials turn out to be expired, refreshes them (new clients) and
 * retries once. Every failure leaves as an AwsIngestError.
 */
export async function withCredentialRetry<T>(
  clients: CustomerAwsClients,
  target: AssumeRoleTarget,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!isExpiredCredentialsError(err)) throw toAwsIngestError(err, operation);
  }
  clients.invalidate(target);
  try {
    return await call();
  } catch (err) {
    const e = toAwsIngestError(err, operation);
    throw e.code === 'credentials_expired'
      ? new AwsIngestError(e.code, e.operation, e.awsCode, `${e.message} (after refreshing credentials)`)
      : e;
  }
}
