import { isIP } from 'node:net';
import {
  blockedRangeOf,
  checkWebhookUrl,
  isWebhookError,
  SsrfBlockedError,
  systemResolver,
  type ResolvedAddress,
} from '@trailguard/webhooks';
import { DomainError } from '../../common/domain-error';

const URL_ERROR_CODES = new Set(['invalid_url', 'http_not_allowed', 'ssrf_blocked']);
const RESOLVE_TIMEOUT_MS = 3000;

/**
 * Checks a webhook URL when an endpoint is created or edited and returns its normalised form.
 * Beyond the static check, a hostname is resolved once so a name pointing at a private address
 * is refused with a clear answer now; the send-time agent checks again (DNS can change), so a
 * name that does not resolve yet is accepted.
 */
export async function validateWebhookUrl(url: string, allowPrivate: boolean): Promise<string> {
  try {
    const parsed = checkWebhookUrl(url, { allowPrivate, allowHttp: allowPrivate });
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    if (!allowPrivate && isIP(host) === 0) {
      for (const { address } of await resolveQuietly(host)) {
        const range = blockedRangeOf(address);
        if (range !== null) throw new SsrfBlockedError(address, range, host);
      }
    }
    return parsed.href;
  } catch (err) {
    if (isWebhookError(err) && URL_ERROR_CODES.has(err.code)) {
      throw new DomainError(err.code, `webhook URL refused: ${err.message}`, 400, err.details);
    }
    throw err;
  }
}

async function resolveQuietly(host: string): Promise<ResolvedAddress[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ResolvedAddress[]>((resolve) => {
    timer = setTimeout(() => resolve([]), RESOLVE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([systemResolver(host).catch(() => []), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
