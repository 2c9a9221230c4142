import { checkWebhookUrl, type WebhookTargetPolicy } from './url-policy';
import { SsrfBlockedError, WebhookError } from './webhooks.errors';

function refusal(url: string, policy: WebhookTargetPolicy = {}): WebhookError | undefined {
  try {
    checkWebhookUrl(url, policy);
  } catch (err) {
    if (err instanceof WebhookError) return err;
    throw err;
  }
  return undefined;
}

describe('checkWebhookUrl', () => {
  it('accepts an ordinary https URL and returns it parsed', () => {
    const url = checkWebhookUrl('https://hooks.example.com:8443/trailguard?x=1');
    expect(url.hostname).toBe('hooks.example.com');
    expect(url.port).toBe('8443');
  });

  it.each([
    ['not a URL', 'hooks.example.com/x'],
    ['ftp scheme', 'ftp://hooks.example.com/'],
    ['file scheme', 'file:///etc/passwd'],
    ['javascript scheme', 'javascript:alert(1)'],
    ['credentials', 'https://user:pw@hooks.example.com/'],
    ['username only', 'https://user@hooks.example.com/'],
    ['SMTP port', 'https://hooks.example.com:25/'],
    ['SSH port', 'https://hooks.example.com:22/'],
    ['port 0', 'https://hooks.example.com:0/'],
    ['single-label host', 'https://metadata/computeMetadata'],
    ['overlong URL', `https://hooks.example.com/${'a'.repeat(3000)}`],
  ])('refuses %s as invalid_url', (_name, url) => {
    expect(refusal(url)?.code).toBe('invalid_url');
  });

  it('refuses plain http unless allowed', () => {
    expect(refusal('http://hooks.example.com/')?.code).toBe('http_not_allowed');
    expect(refusal('http://hooks.example.com/', { allowHttp: true })).toBeUndefined();
  });

  it.each([
    ['https://127.0.0.1/', '127.0.0.1', 'loopback'],
    ['https://0x7f.1/', '127.0.0.1', 'loopback'],
    ['https://2130706433/', '127.0.0.1', 'loopback'],
    ['https://0177.0.0.1/', '127.0.0.1', 'loopback'],
    ['https://0.0.0.0/', '0.0.0.0', 'unspecified'],
    ['https://10.1.2.3/', '10.1.2.3', 'private'],
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254', 'linkLocal'],
    ['https://100.100.100.200/', '100.100.100.200', 'carrierGradeNat'],
    ['https://[::1]/', '::1', 'loopback'],
    ['https://[::]/', '::', 'unspecified'],
    ['https://[fd00::1]/', 'fd00::1', 'uniqueLocal'],
    ['https://[fe80::1]/', 'fe80::1', 'linkLocal'],
    ['https://[::ffff:127.0.0.1]/', '::ffff:7f00:1', 'ipv4Mapped:loopback'],
    ['https://[0:0:0:0:0:ffff:169.254.169.254]/', '::ffff:a9fe:a9fe', 'ipv4Mapped:linkLocal'],
    ['https://[64:ff9b::10.0.0.1]/', '64:ff9b::a00:1', 'rfc6052:private'],
    ['https://[2001:db8::5]/', '2001:db8::5', 'documentation'],
    ['https://localhost/', 'localhost', 'loopback'],
    ['https://LOCALHOST./', 'localhost', 'loopback'],
    ['https://api.localhost/', 'api.localhost', 'loopback'],
  ])('refuses %s as ssrf_blocked (%s, %s)', (url, address, range) => {
    const err = refusal(url);
    expect(err).toBeInstanceOf(SsrfBlockedError);
    expect(err?.code).toBe('ssrf_blocked');
    expect((err as SsrfBlockedError).address).toBe(address);
    expect((err as SsrfBlockedError).range).toBe(range);
  });

  it('allows public literal addresses', () => {
    expect(refusal('https://8.8.8.8/hook')).toBeUndefined();
    expect(refusal('https://[2606:4700:4700::1111]/hook')).toBeUndefined();
  });

  it('lets everything through with allowPrivate (WEBHOOK_ALLOW_PRIVATE_TARGETS), but keeps the other rules', () => {
    const dev = { allowPrivate: true, allowHttp: true };
    expect(refusal('http://127.0.0.1:3000/hook', dev)).toBeUndefined();
    expect(refusal('http://localhost:3000/hook', dev)).toBeUndefined();
    expect(refusal('http://[::1]:3000/hook', dev)).toBeUndefined();
    expect(refusal('http://receiver/hook', dev)).toBeUndefined();
    expect(refusal('http://user:pw@127.0.0.1/', dev)?.code).toBe('invalid_url');
    expect(refusal('http://127.0.0.1/', { allowPrivate: true })?.code).toBe('http_not_allowed');
  });
});
