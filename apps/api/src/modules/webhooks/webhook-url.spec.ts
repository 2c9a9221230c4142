import { maskWebhookUrl } from './webhook-url';

describe('maskWebhookUrl', () => {
  it.each([
    ['https://hooks.slack.com/services/T000/B000/XXXXSECRET', 'https://hooks.slack.com/****'],
    ['https://example.com/hook?token=secret', 'https://example.com/****'],
    ['https://user:pass@example.com/', 'https://example.com/****'],
    ['https://example.com:8443/', 'https://example.com:8443/'],
    ['http://10.0.0.1:9000/a', 'http://10.0.0.1:9000/****'],
    ['not a url', '****'],
  ])('%s -> %s', (url, masked) => {
    expect(maskWebhookUrl(url)).toBe(masked);
    expect(maskWebhookUrl(url)).not.toContain('SECRET');
  });
});
