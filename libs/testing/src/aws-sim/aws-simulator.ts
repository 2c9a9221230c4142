import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control-api';
import { handleAwsRequest } from './sim-server';
import { SimStore, type LongTermKeys, type TrailInput } from './sim-store';
import { deliverDigest, tamperObject } from './digest-delivery';
import type { CloudTrailRecord, RequestLogEntry, SimService, SimTrail } from './sim-types';

/** The permissions Trailguard's customer role grants (polling + S3 + posture). */
export const READ_ONLY_TRAIL_PERMISSIONS = [
  'cloudtrail:LookupEvents',
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetTrailStatus',
  'cloudtrail:GetEventSelectors',
  'cloudtrail:ListPublicKeys',
  's3:ListBucket',
  's3:GetObject',
];

export interface AwsSimulatorOptions {
  port?: number;
  host?: string;
}

export interface CustomerAccountInput {
  accountId?: string;
  roleName?: string;
  trustedAccountId: string;
  externalId?: string | null;
  permissions?: string[];
}

export interface RequestLogFilter {
  service?: SimService;
  action?: string;
  accountId?: string;
  region?: string;
  since?: number;
}

export interface SimTrailView {
  name: string;
  arn: string;
  homeRegion: string;
  s3BucketName: string;
  isMultiRegion: boolean;
  isLogging: boolean;
  includeManagementEvents: boolean;
  logFileValidationEnabled: boolean;
  s3KeyPrefix: string | null;
}

function trailView(t: SimTrail): SimTrailView {
  return {
    name: t.name,
    arn: t.arn,
    homeRegion: t.homeRegion,
    s3BucketName: t.s3BucketName,
    isMultiRegion: t.isMultiRegion,
    isLogging: t.isLogging,
    includeManagementEvents: t.includeManagementEvents,
    logFileValidationEnabled: t.logFileValidationEnabled,
    s3KeyPrefix: t.s3KeyPrefix,
  };
}

/**
 * A local AWS (STS, CloudTrail, S3) on one HTTP port, reached through the SDK's standard
 * endpoint settings. Methods here are the in-process form of the /_sim control API.
 */
/** The environment variables through which the AWS SDK (and Trailguard) find AWS. */
export const AWS_SDK_ENV_VARS = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL_CLOUDTRAIL',
  'AWS_ENDPOINT_URL_S3',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_MAX_ATTEMPTS',
  'PLATFORM_AWS_ACCOUNT_ID',
] as const;

export class AwsSimulator {
  readonly store = new SimStore();
  private server: Server | null = null;
  private boundPort = 0;

  constructor(private readonly options: AwsSimulatorOptions = {}) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const handler = (req.url ?? '').startsWith('/_sim/') ? handleControl(this, req, res) : handleAwsRequest(this.store, req, res);
      handler.catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(err instanceof Error ? err.message : String(err));
      });
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get port(): number {
    return this.boundPort;
  }

  get endpoint(): string {
    return `http://${this.options.host ?? '127.0.0.1'}:${this.boundPort}`;
  }

  /** The SDK settings that send every STS, CloudTrail and S3 call here. */
  sdkEnv(keys?: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1'): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.endpoint,
      AWS_ENDPOINT_URL_STS: this.endpoint,
      AWS_ENDPOINT_URL_CLOUDTRAIL: this.endpoint,
      AWS_ENDPOINT_URL_S3: this.endpoint,
      AWS_REGION: region,
      ...(keys ? { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey } : {}),
    };
  }

  reset(): void {
    this.store.reset();
  }

  /** The platform (Trailguard) account with a long-term IAM user allowed everything. */
  createPlatformAccount(input: { accountId?: string; userName?: string } = {}): LongTermKeys {
    const account = this.store.ensureAccount(input.accountId);
    return this.store.createUser(account.accountId, input.userName ?? 'trailguard-platform', ['*']);
  }

  createAccount(accountId?: string): string {
    return this.store.ensureAccount(accountId).accountId;
  }

  createUser(accountId: string, userName: string, permissions: string[]): LongTermKeys {
    return this.store.createUser(accountId, userName, permissions);
  }

  /** A customer account with the cross-account role Trailguard assumes. */
  createCustomerAccount(input: CustomerAccountInput): { accountId: string; roleArn: string } {
    const account = this.store.ensureAccount(input.accountId);
    const role = this.createRole(account.accountId, {
      roleName: input.roleName ?? 'TrailguardReadOnly',
      trustedAccountId: input.trustedAccountId,
      externalId: input.externalId ?? null,
      permissions: input.permissions ?? READ_ONLY_TRAIL_PERMISSIONS,
    });
    return { accountId: account.accountId, roleArn: role.roleArn };
  }

  createRole(
    accountId: string,
    input: { roleName: string; trustedAccountId: string; externalId?: string | null; permissions: string[] },
  ): { roleArn: string } {
    return { roleArn: this.store.createRole(accountId, input).arn };
  }

  revokePermission(roleArn: string, permission: string): void {
    this.requireRole(roleArn).permissions.delete(permission);
  }

  grantPermission(roleArn: string, permission: string): void {
    this.requireRole(roleArn).permissions.add(permission);
  }

  private requireRole(roleArn: string) {
    const role = this.store.findRoleByArn(roleArn);
    if (!role) throw new Error(`unknown role ${roleArn}`);
    return role;
  }

  createTrail(accountId: string, input: TrailInput): SimTrailView {
    return trailView(this.store.createTrail(accountId, input, Date.now()));
  }

  trails(accountId: string): SimTrailView[] {
    return [...this.store.requireAccount(accountId).trails.values()].map(trailView);
  }

  /** Adds records to the account-region event history that LookupEvents serves. */
  appendEvents(accountId: string, region: string, records: CloudTrailRecord[]): void {
    this.store.appendEvents(accountId, region, records);
  }

  /** Records in the event history, oldest first (including trail changes made through the API). */
  events(accountId: string, region: string): CloudTrailRecord[] {
    const list = this.store.accounts.get(accountId)?.events.get(region) ?? [];
    return [...list].sort((a, b) => a.timeMs - b.timeMs).map((e) => e.record);
  }

  createBucket(name: string, ownerAccountId: string): void {
    this.store.createBucket(name, ownerAccountId);
  }

  putObject(bucket: string, key: string, body: Buffer | string, contentType = 'application/octet-stream'): void {
    this.store.putObject(bucket, key, Buffer.isBuffer(body) ? body : Buffer.from(body), contentType, Date.now());
  }

  /** Writes a gzipped {"Records":[...]} file as CloudTrail delivers it; returns its key. */
  putLogFile(
    bucket: string,
    input: { accountId: string; region: string; records: CloudTrailRecord[]; time?: Date; prefix?: string | null },
  ): string {
    return this.store.putLogFile(bucket, input, Date.now());
  }

  /**
   * CloudTrail delivers the next signed digest of a trail for a region (covering the log files
   * delivered since the last one) and returns its key.
   */
  deliverDigest(accountId: string, trailName: string, region: string, time?: Date): string {
    const trail = this.store.requireAccount(accountId).trails.get(trailName);
    if (!trail) throw new Error(`unknown trail ${trailName} in ${accountId}`);
    return deliverDigest(this.store, trail, accountId, region, time?.getTime() ?? Date.now());
  }

  /** An attacker with write access to the bucket deletes or alters an object (log file or digest). */
  tamperObject(bucket: string, key: string, action: 'delete' | 'alter'): void {
    tamperObject(this.store, bucket, key, action, Date.now());
  }

  /** Caps the lifetime of credentials issued from now on (tests make them expire in seconds). */
  setCredentialLifetime(seconds: number | null): void {
    this.store.settings.credentialLifetimeSeconds = seconds;
  }

  setLookupEventsRateLimit(perSecond: number | null): void {
    this.store.settings.lookupEventsPerSecond = perSecond;
  }

  /** Throttles every Nth LookupEvents call (every = 1: all of them) for durationMs or until cleared. */
  throttleStorm(input: { every?: number; durationMs?: number } = {}): void {
    const every = input.every ?? 1;
    if (!Number.isInteger(every) || every < 1) throw new Error('every must be a positive integer');
    this.store.faults.push({
      kind: 'throttle',
      action: 'LookupEvents',
      every,
      until: input.durationMs === undefined ? null : Date.now() + input.durationMs,
      seen: 0,
    });
  }

  /** The next `count` calls of `action` (e.g. "LookupEvents", "AssumeRole", "GetObject") answer 5xx. */
  failNext(action: string, count: number, status = 500): void {
    this.store.faults.push({ kind: 'server-error', action, remaining: count, status });
  }

  clearFaults(): void {
    this.store.faults = [];
  }

  /** Every temporary credential issued so far expires now; returns how many. */
  expireAllCredentials(): number {
    return this.store.expireAllSessions(Date.now());
  }

  requests(filter: RequestLogFilter = {}): RequestLogEntry[] {
    return this.store.requestLog.filter(
      (e) =>
        (filter.service === undefined || e.service === filter.service) &&
        (filter.action === undefined || e.action === filter.action) &&
        (filter.accountId === undefined || e.accountId === filter.accountId) &&
        (filter.region === undefined || e.region === filter.region) &&
        (filter.since === undefined || e.time >= filter.since),
    );
  }
}

/** The largest number of times falling in any window [t, t + windowMs). */
export function maxInAnyWindow(times: number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
