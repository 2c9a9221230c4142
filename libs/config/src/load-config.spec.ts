import { ConfigError, detectShards, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies defaults on an empty environment', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.POLL_INTERVAL_SECONDS).toBe(60);
    expect(c.WEBHOOK_ALLOW_PRIVATE_TARGETS).toBe(false);
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ POLL_INTERVAL_SECONDS: '-5' }, 'POLL_INTERVAL_SECONDS'],
    [{ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'maybe' }, 'WEBHOOK_ALLOW_PRIVATE_TARGETS'],
    [{ PLATFORM_AWS_ACCOUNT_ID: '12345' }, 'PLATFORM_AWS_ACCOUNT_ID'],
    [{ SECRETS_KEY: 'c2hvcnQ=' }, 'SECRETS_KEY'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ REDIS_CLUSTER_NODES: '127.0.0.1' }, 'REDIS_CLUSTER_NODES'],
    [{ REDIS_CLUSTER_NODES: 'a:1,,b:2' }, 'REDIS_CLUSTER_NODES'],
    [{ DETECT_QUEUE_SHARDS: '0' }, 'DETECT_QUEUE_SHARDS'],
  ])('rejects %p naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`${name}:`));
  });

  it('requires the operator token and external services in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/ADMIN_TOKEN: required/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });

  it('refuses REDIS_URL and REDIS_CLUSTER_NODES together, naming both', () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/REDIS_URL, REDIS_CLUSTER_NODES: set one of them, not both/);
  });

  it('accepts a cluster instead of REDIS_URL in production', () => {
    const base = {
      NODE_ENV: 'production',
      ADMIN_TOKEN: 'x'.repeat(20),
      DATABASE_URL: 'postgresql://db/x',
      SECRETS_KEY: Buffer.alloc(32).toString('base64'),
    };
    expect(() => loadConfig(base)).toThrow(/REDIS_URL: required when NODE_ENV=production \(or REDIS_CLUSTER_NODES\)/);
    expect(loadConfig({ ...base, REDIS_CLUSTER_NODES: 'r1:7000, r2:7000' }).REDIS_CLUSTER_NODES).toBe('r1:7000, r2:7000');
  });

  it('shards the detection queue on a cluster by default, not on one Redis', () => {
    expect(detectShards(loadConfig({}))).toBe(1);
    expect(detectShards(loadConfig({ REDIS_CLUSTER_NODES: 'r1:7000' }))).toBe(4);
    expect(detectShards(loadConfig({ REDIS_URL: 'redis://r:6379', DETECT_QUEUE_SHARDS: '3' }))).toBe(3);
  });
});

describe('HOST', () => {
  it('defaults to loopback in development and to every interface otherwise', () => {
    expect(loadConfig({}).HOST).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'development' }).HOST).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'test' }).HOST).toBe('0.0.0.0');
    expect(loadConfig({ NODE_ENV: 'development', HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
  });
});
