import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkSessionToken, parseAuthorization, parsePresignedQuery, verifyPresignedSignature, verifySignature } from './sigv4-verifier';
import { authErrorFor, SimAwsError } from './sim-errors';
import type { SimContext, SimResponse } from './sim-context';
import { newRequestId } from './sim-ids';
import type { SimStore } from './sim-store';
import type { RequestLogEntry, SimService } from './sim-types';
import { handleSts, renderStsError } from './sts.handler';
import { cloudTrailAction, handleCloudTrail, renderCloudTrailError } from './cloudtrail.handler';
import { handleS3, renderS3Error, s3Action, s3Target } from './s3.handler';

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Query parameters decoded, as SigV4's canonical query re-encodes them. */
export function parseQuery(rawQuery: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!rawQuery) return out;
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function guessService(req: IncomingMessage, scopeService: string | undefined): SimService {
  if (scopeService === 'sts' || scopeService === 'cloudtrail' || scopeService === 's3') return scopeService;
  if (req.headers['x-amz-target']) return 'cloudtrail';
  if (req.method === 'POST' && String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) return 'sts';
  return 's3';
}

function render(service: SimService, err: SimAwsError, requestId: string, method: string): SimResponse {
  switch (service) {
    case 'sts':
      return renderStsError(err, requestId);
    case 'cloudtrail':
      return renderCloudTrailError(err, requestId);
    case 's3':
      return renderS3Error(err, requestId, method);
    default: {
      const never: never = service;
      throw new Error(`unknown service ${String(never)}`);
    }
  }
}

function send(res: ServerResponse, response: SimResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

const FAULT_ERRORS: Record<SimService, [string, string]> = {
  sts: ['InternalFailure', 'The request processing has failed because of an unknown error.'],
  cloudtrail: ['InternalFailure', 'The request processing has failed because of an unknown error.'],
  s3: ['InternalError', 'We encountered an internal error. Please try again.'],
};

function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (!body.length) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below as AWS does
  }
  throw new SimAwsError('SerializationException', 'Start of structure or map found where not expected.', 400);
}

/** Handles one AWS API request: auth, faults, the service handler, and a request-log entry. */
export async function handleAwsRequest(store: SimStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const arrival = Date.now();
  const requestId = newRequestId();
  const method = req.method ?? 'GET';
  const url = req.url ?? '/';
  const qIndex = url.indexOf('?');
  const rawPath = qIndex < 0 ? url : url.slice(0, qIndex);
  const query = parseQuery(qIndex < 0 ? '' : url.slice(qIndex + 1));
  const body = await readBody(req);
  const headerAuth = parseAuthorization(req.headers.authorization);
  // A presigned URL carries its signature in the query instead of an Authorization header.
  const presigned = headerAuth ? null : parsePresignedQuery(query);
  const auth = headerAuth ?? presigned;
  const service = guessService(req, auth?.service);
  const formParams = service === 'sts' ? new URLSearchParams(body.toString('utf8')) : new URLSearchParams();
  const target = s3Target(rawPath, req.headers.host);
  const action =
    service === 'sts'
      ? (formParams.get('Action') ?? 'Unknown')
      : service === 'cloudtrail'
        ? cloudTrailAction(String(req.headers['x-amz-target'] ?? ''))
        : s3Action(method, target, query);
  const entry: RequestLogEntry = {
    time: arrival,
    service,
    action,
    accountId: null,
    region: auth?.region ?? null,
    accessKeyId: auth?.accessKeyId ?? null,
    status: 0,
    errorCode: null,
  };
  let response: SimResponse;
  try {
    if (!auth) throw authErrorFor(service, 'missing-auth');
    const credential = store.credentials.get(auth.accessKeyId);
    if (!credential) throw authErrorFor(service, 'unknown-key');
    // Known key: attribute even failed requests (expired token, bad signature) to its account.
    entry.accountId = credential.accountId;
    const token = presigned ? presigned.sessionToken : req.headers['x-amz-security-token'];
    checkSessionToken(service, credential, Array.isArray(token) ? token[0] : token, Date.now());
    const signedRequest = { method, rawPath, query, headers: req.headers, body };
    if (presigned) await verifyPresignedSignature(service, presigned, credential, signedRequest, Date.now());
    else await verifySignature(service, auth, credential, signedRequest, Date.now());
    const failure = store.faults.find((f) => f.kind === 'server-error' && f.action === action && f.remaining > 0);
    if (failure && failure.kind === 'server-error') {
      failure.remaining--;
      const [code, message] = FAULT_ERRORS[service];
      throw new SimAwsError(code, message, failure.status, 'Receiver');
    }
    const ctx: SimContext = {
      store,
      credential,
      region: auth.region,
      requestId,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      userAgent: String(req.headers['user-agent'] ?? ''),
      arrival,
      now: () => Date.now(),
    };
    switch (service) {
      case 'sts':
        response = handleSts(ctx, action, formParams);
        break;
      case 'cloudtrail':
        response = handleCloudTrail(ctx, action, parseJsonBody(body));
        break;
      case 's3':
        response = handleS3(
          ctx,
          method,
          target,
          action,
          query,
          { body, contentType: String(req.headers['content-type'] ?? 'binary/octet-stream') },
          headerValue(req.headers['x-amz-expected-bucket-owner']),
        );
        break;
      default: {
        const never: never = service;
        throw new Error(`unknown service ${String(never)}`);
      }
    }
  } catch (err) {
    const awsError =
      err instanceof SimAwsError
        ? err
        : new SimAwsError(
            service === 's3' ? 'InternalError' : 'InternalFailure',
            err instanceof Error ? err.message : String(err),
            500,
            'Receiver',
          );
    entry.errorCode = awsError.code;
    response = render(service, awsError, requestId, method);
  }
  entry.status = response.status;
  store.requestLog.push(entry);
  send(res, response);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
