import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, HttpRequest, SourceData } from '@smithy/types';
import { authErrorFor, SimAwsError } from './sim-errors';
import type { SimCredential, SimService } from './sim-types';

/** SHA-256 / HMAC-SHA-256 for @smithy/signature-v4, on node:crypto. */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = NodeSha256.create(secret);
  }
  private static create(secret?: SourceData): Hash | Hmac {
    return secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: SourceData): void {
    this.hash.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = NodeSha256.create(this.secret);
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTH_PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^/\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

export function parseAuthorization(header: string | undefined): ParsedAuthorization | null {
  if (!header) return null;
  const m = AUTH_PATTERN.exec(header.trim());
  if (!m) return null;
  const [, accessKeyId, date, region, service, signed, signature] = m;
  if (!accessKeyId || !date || !region || !service || !signed || !signature) return null;
  return { accessKeyId, date, region, service, signedHeaders: signed.split(';'), signature };
}

/** SigV4 in the query string (a presigned URL): the same scope plus its date, lifetime and token. */
export interface PresignedAuthorization extends ParsedAuthorization {
  amzDate: string;
  expiresSeconds: number;
  sessionToken?: string;
}

const CREDENTIAL_PATTERN = /^([^/\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;

export function parsePresignedQuery(query: Record<string, string | string[]>): PresignedAuthorization | null {
  const q = (name: string): string | undefined => {
    const v = query[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const signature = q('X-Amz-Signature');
  if (q('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !signature || !/^[0-9a-f]{64}$/.test(signature)) return null;
  const m = CREDENTIAL_PATTERN.exec(q('X-Amz-Credential') ?? '');
  const amzDate = q('X-Amz-Date');
  const expiresSeconds = Number(q('X-Amz-Expires'));
  const signed = q('X-Amz-SignedHeaders');
  if (!m || !amzDate || !signed || !Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > 604_800) return null;
  const [, accessKeyId, date, region, service] = m;
  const token = q('X-Amz-Security-Token');
  return {
    accessKeyId: accessKeyId!,
    date: date!,
    region: region!,
    service: service!,
    signedHeaders: signed.split(';'),
    signature,
    amzDate,
    expiresSeconds,
    ...(token ? { sessionToken: token } : {}),
  };
}

export interface IncomingSignedRequest {
  method: string;
  /** The path exactly as sent (still percent-encoded). */
  rawPath: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const MAX_SKEW_MS = 15 * 60 * 1000;

function parseAmzDate(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

function headerValue(headers: IncomingSignedRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The headers the signature claims to cover, as received; one missing fails the signature. */
function signedHeadersOf(service: SimService, auth: ParsedAuthorization, req: IncomingSignedRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const v = headerValue(req.headers, name);
    if (v === undefined) throw authErrorFor(service, 'bad-signature');
    headers[name] = v;
  }
  return headers;
}

function requestToSign(req: IncomingSignedRequest, headers: Record<string, string>, query: HttpRequest['query']): HttpRequest {
  return {
    method: req.method,
    protocol: 'http:',
    hostname: (headers.host ?? '').split(':')[0] ?? '',
    path: req.rawPath,
    query,
    headers,
    body: req.body,
  };
}

/** A signer with the claimed scope and the secret the simulator holds for the key. */
function signerFor(service: SimService, auth: ParsedAuthorization, credential: SimCredential): SignatureV4 {
  return new SignatureV4({
    service: auth.service,
    region: auth.region,
    credentials: {
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      ...(credential.sessionToken ? { sessionToken: credential.sessionToken } : {}),
    },
    sha256: NodeSha256,
    // S3 signs the path as sent; every other service normalises and re-encodes it.
    uriEscapePath: service !== 's3',
    applyChecksum: false,
  });
}

/**
 * Recomputes the SigV4 signature with the secret of the claimed key and compares it with the one
 * sent. Throws the service's own auth error; returns nothing on success.
 */
export async function verifySignature(
  service: SimService,
  auth: ParsedAuthorization,
  credential: SimCredential,
  req: IncomingSignedRequest,
  now: number,
): Promise<void> {
  const amzDate = headerValue(req.headers, 'x-amz-date');
  const signingDate = amzDate ? parseAmzDate(amzDate) : null;
  if (!signingDate || !auth.signedHeaders.includes('host')) throw authErrorFor(service, 'bad-signature');
  if (!amzDate!.startsWith(auth.date)) throw authErrorFor(service, 'bad-signature');
  if (Math.abs(signingDate.getTime() - now) > MAX_SKEW_MS) throw authErrorFor(service, 'skewed-clock');

  // A payload hash header is trusted by the signer, so it must match the bytes actually received.
  const payloadHeader = headerValue(req.headers, 'x-amz-content-sha256');
  if (
    payloadHeader !== undefined &&
    payloadHeader !== 'UNSIGNED-PAYLOAD' &&
    payloadHeader !== createHash('sha256').update(req.body).digest('hex')
  ) {
    throw authErrorFor(service, 'payload-hash');
  }

  const request = requestToSign(req, signedHeadersOf(service, auth, req), req.query);
  const signed = await signerFor(service, auth, credential).sign(request, {
    signingDate,
    signableHeaders: new Set(auth.signedHeaders),
  });
  const expected = parseAuthorization(String(signed.headers.authorization ?? ''));
  if (
    !expected ||
    expected.signedHeaders.join(';') !== auth.signedHeaders.join(';') ||
    !timingSafeEqual(Buffer.from(expected.signature, 'hex'), Buffer.from(auth.signature, 'hex'))
  ) {
    throw authErrorFor(service, 'bad-signature');
  }
}

/**
 * A presigned URL: recomputes the query signature (payload unsigned where S3 presigned it so) and refuses
 * it once its X-Amz-Expires has run out, with S3's AccessDenied "Request has expired".
 */
export async function verifyPresignedSignature(
  service: SimService,
  auth: PresignedAuthorization,
  credential: SimCredential,
  req: IncomingSignedRequest,
  now: number,
): Promise<void> {
  const signingDate = parseAmzDate(auth.amzDate);
  if (!signingDate || !auth.amzDate.startsWith(auth.date) || !auth.signedHeaders.includes('host'))
    throw authErrorFor(service, 'bad-signature');
  if (signingDate.getTime() > now + MAX_SKEW_MS) throw authErrorFor(service, 'skewed-clock');
  if (now > signingDate.getTime() + auth.expiresSeconds * 1000) throw new SimAwsError('AccessDenied', 'Request has expired', 403);
  const headers = signedHeadersOf(service, auth, req);
  // The signer adds its own X-Amz-* parameters; S3's presigner also hoisted the payload hash
  // header (UNSIGNED-PAYLOAD) into the query, so it goes back to a header to be hoisted again.
  const { ['X-Amz-Signature']: _signature, ['X-Amz-Content-Sha256']: payloadHash, ...query } = req.query;
  if (typeof payloadHash === 'string') headers['X-Amz-Content-Sha256'] = payloadHash;
  const presigned = await signerFor(service, auth, credential).presign(requestToSign(req, headers, query), {
    signingDate,
    expiresIn: auth.expiresSeconds,
    signableHeaders: new Set(auth.signedHeaders),
  });
  const expected = presigned.query?.['X-Amz-Signature'];
  if (typeof expected !== 'string' || !timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(auth.signature, 'hex'))) {
    throw authErrorFor(service, 'bad-signature');
  }
}

/** Session token rules: required for temporary keys, rejected once expired. */
export function checkSessionToken(service: SimService, credential: SimCredential, tokenHeader: string | undefined, now: number): void {
  if (credential.sessionToken === null) return;
  if (tokenHeader === undefined || tokenHeader !== credential.sessionToken) {
    throw authErrorFor(service, 'missing-token');
  }
  if (credential.expiresAt !== null && credential.expiresAt <= now) throw authErrorFor(service, 'expired-token');
}

export { SimAwsError };
