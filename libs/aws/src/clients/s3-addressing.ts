/**
 * Bucket addressing for our S3 clients. Against AWS the SDK puts the bucket in the host name
 * (`<bucket>.s3.<region>.amazonaws.com`). When the SDK's standard endpoint settings send S3
 * elsewhere (`AWS_ENDPOINT_URL_S3`, or `AWS_ENDPOINT_URL`), that would become `<bucket>.<host>`,
 * which emulators and S3-compatible stores reached as `localhost` or a service name do not
 * resolve; path-style (`<host>/<bucket>/<key>`) is what they all serve.
 */
export function s3AddressingOptions(env: NodeJS.ProcessEnv = process.env): { forcePathStyle?: true } {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === 'true') return {};
  return env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL ? { forcePathStyle: true } : {};
}
