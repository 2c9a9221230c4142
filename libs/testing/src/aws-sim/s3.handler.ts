import { accessDenied, SimAwsError } from './sim-errors';
import type { SimContext, SimResponse } from './sim-context';
import { xmlEscape } from './sim-context';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface S3Target {
  bucket: string | null;
  key: string | null;
}

/** Path-style (/bucket/key, what the SDK sends to an IP endpoint) and <bucket>.localhost hosts. */
export function s3Target(rawPath: string, host: string | undefined): S3Target {
  const hostname = (host ?? '').split(':')[0] ?? '';
  const decoded = rawPath.split('/').map((s) => decodeURIComponent(s));
  if (hostname.endsWith('.localhost')) {
    const key = decoded.slice(1).join('/');
    return { bucket: hostname.slice(0, -'.localhost'.length), key: key === '' ? null : key };
  }
  const bucket = decoded[1] ?? '';
  const key = decoded.slice(2).join('/');
  return { bucket: bucket === '' ? null : bucket, key: key === '' ? null : key };
}

export function s3Action(method: string, target: S3Target, query: Record<string, string | string[]>): string {
  if (target.bucket === null) return method === 'GET' ? 'ListBuckets' : 'Unknown';
  if (target.key === null) {
    if (method === 'GET' && query['list-type'] === '2') return 'ListObjectsV2';
    if (method === 'GET') return 'ListObjects';
    return method === 'HEAD' ? 'HeadBucket' : 'Unknown';
  }
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return 'HeadObject';
  if (method === 'PUT') return 'PutObject';
  if (method === 'DELETE') return 'DeleteObject';
  return 'Unknown';
}

export function renderS3Error(err: SimAwsError, requestId: string, method = 'GET'): SimResponse {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(err.code)}</Code>` +
    `<Message>${xmlEscape(err.message)}</Message><RequestId>${requestId}</RequestId>` +
    `<HostId>${Buffer.from(requestId).toString('base64')}</HostId></Error>`;
  return {
    status: err.status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body: method === 'HEAD' ? '' : body,
  };
}

function single(query: Record<string, string | string[]>, name: string): string | undefined {
  const v = query[name];
  return Array.isArray(v) ? v[0] : v;
}

const PERMISSIONS: Record<string, string> = {
  ListObjectsV2: 's3:ListBucket',
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  HeadBucket: 's3:ListBucket',
  PutObject: 's3:PutObject',
  DeleteObject: 's3:DeleteObject',
};

export function handleS3(
  ctx: SimContext,
  method: string,
  target: S3Target,
  action: string,
  query: Record<string, string | string[]>,
  upload: { body: Buffer; contentType: string } = { body: Buffer.alloc(0), contentType: 'binary/octet-stream' },
  expectedBucketOwner?: string,
): SimResponse {
  const permission = PERMISSIONS[action];
  if (!permission) throw new SimAwsError('NotImplemented', `The simulator does not implement ${action}`, 501);
  if (!ctx.store.isAllowed(ctx.credential, permission)) {
    throw accessDenied('s3', ctx.store.principalArn(ctx.credential), permission);
  }
  const bucket = ctx.store.buckets.get(target.bucket ?? '');
  if (!bucket) throw new SimAwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
  // S3 answers 403 when the bucket's owner is not the one the caller expects.
  if (expectedBucketOwner && expectedBucketOwner !== bucket.ownerAccountId) {
    throw new SimAwsError('AccessDenied', 'Access Denied', 403);
  }
  if (action === 'HeadBucket') {
    return { status: 200, headers: { 'x-amz-bucket-region': ctx.region, 'x-amz-request-id': ctx.requestId }, body: '' };
  }
  if (action === 'ListObjectsV2') return listObjectsV2(ctx, bucket.name, [...bucket.objects.entries()], query);
  if (action === 'PutObject') {
    ctx.store.putObject(bucket.name, target.key ?? '', upload.body, upload.contentType, ctx.now());
    return { status: 200, headers: { etag: bucket.objects.get(target.key ?? '')!.etag, 'x-amz-request-id': ctx.requestId }, body: '' };
  }
  if (action === 'DeleteObject') {
    // S3 answers 204 whether or not the key existed.
    bucket.objects.delete(target.key ?? '');
    return { status: 204, headers: { 'x-amz-request-id': ctx.requestId }, body: '' };
  }
  const object = bucket.objects.get(target.key ?? '');
  if (!object) throw new SimAwsError('NoSuchKey', 'The specified key does not exist.', 404);
  return {
    status: 200,
    headers: {
      'content-type': object.contentType,
      'content-length': String(object.body.length),
      etag: object.etag,
      'last-modified': new Date(object.lastModified).toUTCString(),
      ...Object.fromEntries(Object.entries(object.metadata ?? {}).map(([k, v]) => [`x-amz-meta-${k}`, v])),
      'x-amz-request-id': ctx.requestId,
    },
    body: method === 'HEAD' ? '' : object.body,
  };
}

function listObjectsV2(
  ctx: SimContext,
  bucketName: string,
  objects: [string, { body: Buffer; lastModified: number; etag: string }][],
  query: Record<string, string | string[]>,
): SimResponse {
  const prefix = single(query, 'prefix') ?? '';
  const startAfter = single(query, 'start-after');
  const token = single(query, 'continuation-token');
  const maxKeysRaw = single(query, 'max-keys');
  const maxKeys = maxKeysRaw === undefined ? 1000 : Math.min(1000, Number(maxKeysRaw));
  if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new SimAwsError('InvalidArgument', 'Invalid max-keys', 400);
  let after = startAfter ?? '';
  if (token !== undefined) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (!decoded.startsWith('k:')) throw new SimAwsError('InvalidArgument', 'The continuation token provided is incorrect', 400);
    after = decoded.slice(2);
  }
  const keys = objects.filter(([k]) => k.startsWith(prefix) && k > after).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const page = keys.slice(0, maxKeys);
  const truncated = keys.length > page.length;
  const lastKey = page[page.length - 1]?.[0];
  const contents = page
    .map(
      ([k, o]) =>
        `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified>` +
        `<ETag>${xmlEscape(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${NS}"><Name>${xmlEscape(bucketName)}</Name>` +
    `<Prefix>${xmlEscape(prefix)}</Prefix>` +
    (startAfter !== undefined ? `<StartAfter>${xmlEscape(startAfter)}</StartAfter>` : '') +
    (token !== undefined ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : '') +
    `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
    (truncated && lastKey !== undefined
      ? `<NextContinuationToken>${Buffer.from(`k:${lastKey}`).toString('base64url')}</NextContinuationToken>`
      : '') +
    contents +
    `</ListBucketResult>`;
  return { status: 200, headers: { 'content-type': 'application/xml', 'x-amz-request-id': ctx.requestId }, body };
}
