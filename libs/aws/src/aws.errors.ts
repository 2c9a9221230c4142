/** What the caller should do differs per code, so every AWS failure surfaces as one of these. */
export type AwsErrorCode =
  /** The SDK's retries ran out on throttling: back off and retry later, nothing was lost. */
  | 'throttled'
  /** Missing permission, untrusted role or wrong ExternalId: mark the account unhealthy, do not retry hot. */
  | 'access_denied'
  /** The temporary credentials expired (after one refresh and retry). */
  | 'credentials_expired'
  /** The trail, bucket or key does not exist. */
  | 'not_found'
  /** AWS answered 5xx or the network failed after the SDK's retries. */
  | 'unavailable'
  | 'aws_error';

export class AwsIngestError extends Error {
  override readonly name = 'AwsIngestError';
  constructor(
    readonly code: AwsErrorCode,
    /** The API called, e.g. "cloudtrail:LookupEvents". */
    readonly operation: string,
    /** The AWS error code as the service sent it (e.g. "AccessDeniedException"). */
    readonly awsCode: string | null,
    message: string,
  ) {
    super(message);
  }
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
]);
const DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'AllAccessDisabled',
]);
const EXPIRED = new Set(['ExpiredTokenException', 'ExpiredToken', 'RequestExpired', 'TokenRefreshRequired']);
const NOT_FOUND = new Set(['TrailNotFoundException', 'NoSuchBucket', 'NoSuchKey', 'NotFound']);

interface SdkErrorLike {
  name?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

export function isExpiredCredentialsError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && EXPIRED.has(String((err as SdkErrorLike).name));
}

/** Maps an AWS SDK error (or network failure) to an AwsIngestError; passes AwsIngestError through. */
export function toAwsIngestError(err: unknown, operation: string): AwsIngestError {
  if (err instanceof AwsIngestError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorLike;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const status = e.$metadata?.httpStatusCode;
  let code: AwsErrorCode = 'aws_error';
  if (THROTTLING.has(name) || status === 429) code = 'throttled';
  else if (DENIED.has(name)) code = 'access_denied';
  else if (EXPIRED.has(name)) code = 'credentials_expired';
  else if (NOT_FOUND.has(name) || status === 404) code = 'not_found';
  else if ((status !== undefined && status >= 500) || e.$metadata === undefined) code = 'unavailable';
  return new AwsIngestError(code, operation, e.$metadata ? name : null, `${operation}: ${name}: ${message}`);
}
