import { isIP } from 'node:net';
import { blockedRangeOf, stripBrackets } from './ip-policy';
import { SsrfBlockedError, WebhookError } from './webhooks.errors';

export interface WebhookTargetPolicy {
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: lets development and tests reach loopback and private nets. */
  allowPrivate?: boolean;
  /** Plain http: signatures protect integrity but not confidentiality, so https is the default. */
  allowHttp?: boolean;
}

// The Fetch standard's "bad ports": services that must never receive an HTTP request from us
// (SMTP, IRC, SIP ...), where a crafted body could be read as that protocol's commands.
const BAD_PORTS = new Set([
  0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117,
  119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636,
  989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

const MAX_URL_LENGTH = 2048;

/**
 * Validates a webhook URL when an endpoint is created or edited. Literal IP hosts are judged
 * here; hostnames are judged again when they resolve, at send time, by the SSRF-safe dispatcher
 * (DNS can change between now and then).
 */
export function checkWebhookUrl(url: string, policy: WebhookTargetPolicy = {}): URL {
  if (url.length > MAX_URL_LENGTH) {
    throw new WebhookError('invalid_url', `URL is longer than ${MAX_URL_LENGTH} characters`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookError('invalid_url', 'not an absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new WebhookError('invalid_url', `scheme ${parsed.protocol} is not supported; use https:`);
  }
  if (parsed.protocol === 'http:' && !policy.allowHttp) {
    throw new WebhookError('http_not_allowed', 'webhook URLs must use https:');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // Credentials in a URL end up in logs and delivery records; receivers verify signatures instead.
    throw new WebhookError('invalid_url', 'credentials in the URL are not allowed');
  }
  if (parsed.port !== '' && BAD_PORTS.has(Number(parsed.port))) {
    throw new WebhookError('invalid_url', `port ${parsed.port} is not allowed for webhooks`);
  }
  const host = stripBrackets(parsed.hostname).replace(/\.$/, '');
  if (host === '') throw new WebhookError('invalid_url', 'URL has no host');
  if (policy.allowPrivate) return parsed;

  if (isIP(host) !== 0) {
    const range = blockedRangeOf(host);
    if (range !== null) throw new SsrfBlockedError(host, range);
    return parsed;
  }
  const lower = host.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost')) {
    // RFC 6761: these names always mean loopback, whatever DNS says.
    throw new SsrfBlockedError(host, 'loopback');
  }
  if (!lower.includes('.')) {
    // Single-label names only resolve through internal search domains ("metadata", "redis").
    throw new WebhookError('invalid_url', 'hostname must be fully qualified');
  }
  return parsed;
}
