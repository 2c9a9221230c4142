import { inspect } from 'node:util';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { toAwsIngestError } from '../aws.errors';

export interface AssumeRoleTarget {
  roleArn: string;
  externalId: string;
}

/**
 * Temporary credentials that redact themselves when serialised or inspected, so a stray log line
 * or job payload cannot leak them. The SDK reads the fields directly.
 */
export class SessionCredentials implements AwsCredentialIdentity {
  constructor(
    readonly accessKeyId: string,
    readonly secretAccessKey: string,
    readonly sessionToken: string,
    readonly expiration: Date,
  ) {}

  toJSON(): Record<string, string> {
    return {
      accessKeyId: this.accessKeyId,
      secretAccessKey: '[REDACTED]',
      sessionToken: '[REDACTED]',
      expiration: this.expiration.toISOString(),
    };
  }

  [inspect.custom](): string {
    return `SessionCredentials { accessKeyId: '${this.accessKeyId}', expiration: ${this.expiration.toISOString()}, secrets: [REDACTED] }`;
  }
}

export interface AssumedCredentialsCacheOptions {
  /** Defaults to an STSClient built from the SDK's standard configuration (env, config files). */
  sts?: STSClient;
  sessionName?: string;
  durationSeconds?: number;
  /** Credentials are replaced this long before they expire. Default 5 minutes. */
  refreshMarginMs?: number;
  now?: () => number;
}

interface Entry {
  credentials: SessionCredentials | null;
  inFlight: Promise<SessionCredentials> | null;
}

const FIVE_MINUTES = 5 * 60 * 1000;

/** STS AssumeRole with ExternalId, cached per (roleArn, externalId); concurrent callers share one call. */
export class AssumedCredentialsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly sts: STSClient;
  private readonly sessionName: string;
  private readonly durationSeconds: number;
  private readonly refreshMarginMs: number;
  private readonly now: () => number;
  /** AssumeRole calls made, for metrics and tests. */
  assumeRoleCalls = 0;

  constructor(options: AssumedCredentialsCacheOptions = {}) {
    this.sts = options.sts ?? new STSClient({});
    this.sessionName = options.sessionName ?? 'trailguard';
    this.durationSeconds = options.durationSeconds ?? 3600;
    this.refreshMarginMs = options.refreshMarginMs ?? FIVE_MINUTES;
    this.now = options.now ?? Date.now;
  }

  private static key(target: AssumeRoleTarget): string {
    return `${target.roleArn}\u0000${target.externalId}`;
  }

  async get(target: AssumeRoleTarget): Promise<SessionCredentials> {
    const key = AssumedCredentialsCache.key(target);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { credentials: null, inFlight: null };
      this.entries.set(key, entry);
    }
    if (entry.credentials && entry.credentials.expiration.getTime() - this.refreshMarginMs > this.now()) {
      return entry.credentials;
    }
    if (entry.inFlight) return entry.inFlight;
    const current = entry;
    const inFlight = this.assume(target).then(
      (credentials) => {
        if (current.inFlight === inFlight) {
          current.credentials = credentials;
          current.inFlight = null;
        }
        return credentials;
      },
      (err: unknown) => {
        if (current.inFlight === inFlight) current.inFlight = null;
        throw err;
      },
    );
    current.inFlight = inFlight;
    return inFlight;
  }

  /** A provider for SDK clients' `credentials` option. */
  provider(target: AssumeRoleTarget): AwsCredentialIdentityProvider {
    return () => this.get(target);
  }

  /** Forgets cached credentials (e.g. after ExpiredToken) so the next get() assumes the role again. */
  invalidate(target: AssumeRoleTarget): void {
    this.entries.delete(AssumedCredentialsCache.key(target));
  }

  clear(): void {
    this.entries.clear();
  }

  toJSON(): Record<string, unknown> {
    return { cachedRoles: this.entries.size, credentials: '[REDACTED]' };
  }

  [inspect.custom](): string {
    return `AssumedCredentialsCache { cachedRoles: ${this.entries.size} }`;
  }

  private async assume(target: AssumeRoleTarget): Promise<SessionCredentials> {
    this.assumeRoleCalls++;
    try {
      const out = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: target.roleArn,
          RoleSessionName: this.sessionName,
          ExternalId: target.externalId,
          DurationSeconds: this.durationSeconds,
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
        throw new Error('AssumeRole returned no credentials');
      }
      return new SessionCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken, new Date(c.Expiration));
    } catch (err) {
      throw toAwsIngestError(err, 'sts:AssumeRole');
    }
  }
}
