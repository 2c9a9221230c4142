import { AwsIngestError, isExpiredCredentialsError, toAwsIngestError } from './aws.errors';

function sdkError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });
}

describe('toAwsIngestError', () => {
  it.each([
    ['ThrottlingException', 400, 'throttled'],
    ['SlowDown', 503, 'throttled'],
    ['Anything', 429, 'throttled'],
    ['AccessDeniedException', 400, 'access_denied'],
    ['AccessDenied', 403, 'access_denied'],
    ['UnrecognizedClientException', 400, 'access_denied'],
    ['ExpiredTokenException', 400, 'credentials_expired'],
    ['ExpiredToken', 400, 'credentials_expired'],
    ['TrailNotFoundException', 400, 'not_found'],
    ['NoSuchBucket', 404, 'not_found'],
    ['InternalFailure', 500, 'unavailable'],
    ['InvalidTimeRangeException', 400, 'aws_error'],
  ])('%s (HTTP %i) -> %s', (name, status, code) => {
    const e = toAwsIngestError(sdkError(name, status), 'cloudtrail:LookupEvents');
    expect(e).toBeInstanceOf(AwsIngestError);
    expect(e).toMatchObject({ code, awsCode: name, operation: 'cloudtrail:LookupEvents' });
  });

  it('treats a failure without an AWS response as unavailable and passes its own errors through', () => {
    const network = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(toAwsIngestError(network, 's3:GetObject')).toMatchObject({ code: 'unavailable', awsCode: null });
    const own = new AwsIngestError('throttled', 'x', null, 'm');
    expect(toAwsIngestError(own, 'y')).toBe(own);
  });

  it('recognises expired credentials by error name', () => {
    expect(isExpiredCredentialsError(sdkError('ExpiredTokenException', 400))).toBe(true);
    expect(isExpiredCredentialsError(sdkError('AccessDenied', 403))).toBe(false);
    expect(isExpiredCredentialsError('nope')).toBe(false);
  });
});
