import { performance } from 'node:perf_hooks';
import { request, type Dispatcher } from 'undici';
import { parseRetryAfter } from './retry-after';
import { SsrfSafeAgent } from './ssrf-dispatcher';
import { checkWebhookUrl } from './url-policy';
import { isWebhookError } from './webhooks.errors';

export type DeliveryErrorCode =
  | 'http_error'
  | 'redirect_not_followed'
  | 'timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns_error'
  | 'tls_error'
  | 'ssrf_blocked'
  | 'invalid_url'
  | 'http_not_allowed'
  | 'network_error';

export interface SendWebhookInput {
  url: string;
  /** The exact string that was signed. */
  body: string;
  /** Usually the output of signPayload(); content-type and user-agent are added if absent. */
  headers: Record<string, string>;
  /** Whole attempt: connect, headers and reading the response (Standard Webhooks: 15-30 s). */
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** An SsrfSafeAgent (its policy is applied to the URL first); default: a strict shared one. */
  dispatcher?: Dispatcher;
}

export interface SendResult {
  ok: boolean;
  status?: number;
  latencyMs: number;
  responseSnippet?: string;
  responseTruncated?: boolean;
  retryAfterSeconds?: number;
  errorCode?: DeliveryErrorCode;
  errorMessage?: string;
}

export const USER_AGENT = 'Trailguard-Webhooks/1.0';

let strictDefault: SsrfSafeAgent | undefined;
function defaultDispatcher(): SsrfSafeAgent {
  strictDefault ??= new SsrfSafeAgent({ allowPrivate: false, allowHttp: false });
  return strictDefault;
}

/**
 * One delivery attempt. Never throws: every outcome, including SSRF refusals, is a SendResult so
 * the worker can log it and hand it to nextAttempt(). Redirects are not followed (undici's
 * `request` has no redirect handling unless an interceptor adds it), so a 3xx is a failure.
 */
export async function sendWebhook(input: SendWebhookInput): Promise<SendResult> {
  const timeoutMs = input.timeoutMs ?? 15_000;
  const maxResponseBytes = input.maxResponseBytes ?? 4096;
  const dispatcher = input.dispatcher ?? defaultDispatcher();
  const started = performance.now();
  const elapsed = (): number => Math.round((performance.now() - started) * 100) / 100;

  if (dispatcher instanceof SsrfSafeAgent) {
    try {
      checkWebhookUrl(input.url, dispatcher.policy);
    } catch (err) {
      return failure(elapsed(), err);
    }
  }

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await request(input.url, {
      method: 'POST',
      body: input.body,
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...input.headers },
      dispatcher,
      signal: controller.signal,
    });
    const snippet = await readSnippet(res.body, maxResponseBytes);
    const status = res.statusCode;
    const result: SendResult = {
      ok: status >= 200 && status <= 299,
      status,
      latencyMs: elapsed(),
      responseSnippet: snippet.text,
      responseTruncated: snippet.truncated,
    };
    if (status === 429 || status === 503) {
      const retryAfter = parseRetryAfter(res.headers['retry-after']);
      if (retryAfter !== undefined) result.retryAfterSeconds = retryAfter;
    }
    if (!result.ok) {
      result.errorCode = status >= 300 && status <= 399 ? 'redirect_not_followed' : 'http_error';
      result.errorMessage =
        status >= 300 && status <= 399 ? `redirect (${status}) not followed; update the endpoint URL` : `receiver answered ${status}`;
    }
    return result;
  } catch (err) {
    return failure(elapsed(), err, controller.signal.aborted ? timeoutMs : undefined);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads at most `limit` bytes, then destroys the stream so a huge or endless answer costs us
 * nothing more. A failure after the status line (e.g. timeout mid-body) keeps what was read:
 * the status already decided the outcome.
 */
async function readSnippet(body: Dispatcher.ResponseData['body'], limit: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    if (limit <= 0) {
      truncated = true;
    } else {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        const room = limit - size;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          size = limit;
          truncated = true;
          break;
        }
        chunks.push(chunk);
        size += chunk.length;
      }
    }
  } catch {
    truncated = true;
  } finally {
    if (!body.destroyed) body.destroy();
  }
  return { text: Buffer.concat(chunks, size).toString('utf8'), truncated };
}

function failure(latencyMs: number, err: unknown, timedOutAfterMs?: number): SendResult {
  if (timedOutAfterMs !== undefined) {
    return {
      ok: false,
      latencyMs,
      errorCode: 'timeout',
      errorMessage: `no complete answer within ${timedOutAfterMs} ms`,
    };
  }
  const cause = rootCause(err);
  return { ok: false, latencyMs, errorCode: classify(cause), errorMessage: messageOf(cause) };
}

function rootCause(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 5; depth += 1) {
    if (isWebhookError(current)) return current;
    if (current instanceof AggregateError && current.errors.length > 0) current = current.errors[0];
    else if (current instanceof Error && current.cause !== undefined && !codeOf(current)) current = current.cause;
    else break;
  }
  return current;
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function classify(err: unknown): DeliveryErrorCode {
  const code = codeOf(err) ?? '';
  switch (code) {
    case 'ssrf_blocked':
    case 'invalid_url':
    case 'http_not_allowed':
      return code;
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNREFUSED':
      return 'connection_refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'connection_reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NODATA':
    case 'EAI_NONAME':
      return 'dns_error';
    default:
      if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/.test(code)) return 'tls_error';
      return 'network_error';
  }
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
