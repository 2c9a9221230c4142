import type { SimService } from './sim-types';

/** Authentication failure kinds, named per service by `authErrorFor`. */
export type AuthFailure =
  'missing-auth' | 'unknown-key' | 'bad-signature' | 'missing-token' | 'expired-token' | 'skewed-clock' | 'payload-hash';

/** An AWS-shaped error: `code` is the wire error code each protocol renders in its own envelope. */
export class SimAwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly sender: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
    this.name = 'SimAwsError';
  }
}

const AUTH_ERRORS: Record<SimService, Record<AuthFailure, [string, number, string]>> = {
  sts: {
    'missing-auth': ['MissingAuthenticationToken', 403, 'Request is missing Authentication Token'],
    'unknown-key': ['InvalidClientTokenId', 403, 'The security token included in the request is invalid.'],
    'bad-signature': ['SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided.'],
    'missing-token': ['InvalidClientTokenId', 403, 'The security token included in the request is invalid.'],
    'expired-token': ['ExpiredToken', 400, 'The security token included in the request is expired'],
    'skewed-clock': ['SignatureDoesNotMatch', 403, 'Signature expired or not yet current.'],
    'payload-hash': ['SignatureDoesNotMatch', 403, 'The provided payload hash does not match the payload.'],
  },
  cloudtrail: {
    'missing-auth': ['MissingAuthenticationTokenException', 400, 'Missing Authentication Token'],
    'unknown-key': ['UnrecognizedClientException', 400, 'The security token included in the request is invalid.'],
    'bad-signature': ['InvalidSignatureException', 400, 'The request signature we calculated does not match the signature you provided.'],
    'missing-token': ['UnrecognizedClientException', 400, 'The security token included in the request is invalid.'],
    'expired-token': ['ExpiredTokenException', 400, 'The security token included in the request is expired'],
    'skewed-clock': ['InvalidSignatureException', 400, 'Signature not yet current or expired.'],
    'payload-hash': ['InvalidSignatureException', 400, 'The provided payload hash does not match the payload.'],
  },
  s3: {
    'missing-auth': ['AccessDenied', 403, 'Access Denied'],
    'unknown-key': ['InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.'],
    'bad-signature': [
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    ],
    'missing-token': ['InvalidToken', 400, 'The provided token is malformed or otherwise invalid.'],
    'expired-token': ['ExpiredToken', 400, 'The provided token has expired.'],
    'skewed-clock': ['RequestTimeTooSkewed', 403, 'The difference between the request time and the current time is too large.'],
    'payload-hash': ['XAmzContentSHA256Mismatch', 400, "The provided 'x-amz-content-sha256' header does not match what was computed."],
  },
};

export function authErrorFor(service: SimService, failure: AuthFailure): SimAwsError {
  const [code, status, message] = AUTH_ERRORS[service][failure];
  return new SimAwsError(code, message, status);
}

/** The not-authorized error of each service, worded as IAM words it. */
export function accessDenied(service: SimService, principalArn: string, action: string, resource?: string): SimAwsError {
  switch (service) {
    case 'sts':
      return new SimAwsError(
        'AccessDenied',
        `User: ${principalArn} is not authorized to perform: ${action}${resource ? ` on resource: ${resource}` : ''}`,
        403,
      );
    case 'cloudtrail':
      return new SimAwsError(
        'AccessDeniedException',
        `User: ${principalArn} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
        400,
      );
    case 's3':
      return new SimAwsError('AccessDenied', 'Access Denied', 403);
    default: {
      const never: never = service;
      throw new Error(`unknown service ${String(never)}`);
    }
  }
}
