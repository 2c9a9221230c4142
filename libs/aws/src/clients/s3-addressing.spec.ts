import { s3AddressingOptions } from './s3-addressing';

describe('S3 addressing', () => {
  it('keeps virtual-hosted buckets on AWS and goes path-style behind a configured endpoint', () => {
    expect(s3AddressingOptions({})).toEqual({});
    expect(s3AddressingOptions({ AWS_ENDPOINT_URL: 'http://localhost:4566' })).toEqual({ forcePathStyle: true });
    expect(s3AddressingOptions({ AWS_ENDPOINT_URL_S3: 'http://minio:9000' })).toEqual({ forcePathStyle: true });
    expect(s3AddressingOptions({ AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toEqual({});
  });
});
