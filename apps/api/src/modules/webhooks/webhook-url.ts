import { isIP } from 'node:net';
import {
  blockedRangeOf,
  checkWebhookUrl,
  pagerdutyRoutingKey,
  SsrfBlockedError,
  systemResolver,
  type ResolvedAddress,
} from '@trailguard/webhooks';
import { DomainError } from '../../common/domain-error';
const RESOLVE_TIMEOUT_MS = 3000;

/**
 * Checks a webhook URL when an endpoint is created or edited and returns its normalised form.
 * Beyond the static check, a hostname is resolved once so a name pointing at a private address
 * is refused with a clear answer now; the send-time agent checks again (DNS can change), so a
 * name that does not resolve yet is accepted.
 */
export async function validateWebhookUrl(url: string, allowPrivate: boolean): Promise<string> {
  // A refusal is a WebhookError; the exception filter answers it as a 400 with its code.
  const parsed = checkWebhookUrl(url, { allowPrivate, allowHttp: allowPrivate });
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) === 0) {
    for (const { address } of await resolveQuietly(host)) {
      const range = blockedRangeOf(address);
      if (range !== null) throw new SsrfBlockedError(address, range, host);
    }
  }
  return parsed.href;
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

/**
 * A `pagerduty` endpoint's URL must carry its routing key (as the fragment): refused now with a
 * clear 400 rather than failing every delivery later.
 */
export function checkFormatUrl(format: string, url: string): void {
  if (format !== 'pagerduty' || pagerdutyRoutingKey(url) !== null) return;
  throw new DomainError(
    'invalid_url',
    'webhook URL refused: a pagerduty endpoint carries its integration routing key as the URL fragment, e.g. https://events.pagerduty.com/v2/enqueue#<routing key>',
    { field: 'url', reason: 'pagerduty_routing_key_missing' },
  );
}

/**
 * What a reader below admin sees of a webhook URL: scheme and host, the rest hidden. Many
 * receivers (Slack, Teams, PagerDuty) put the credential in the path or query, so a URL is a
 * secret to everyone but the admins who manage it.
 */
export function maskWebhookUrl(url: string): string {
  try {
    const u = new URL(url);
    const hidden = u.pathname !== '/' || u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '';
    return `${u.protocol}//${u.host}/${hidden ? '****' : ''}`;
  } catch {
    return '****';
  }
}
