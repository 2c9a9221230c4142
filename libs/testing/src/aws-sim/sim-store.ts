import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { newAccessKeyId, newAccountId, newSecretAccessKey, newSessionToken, newUniqueId } from './sim-ids';
import type {
  StoredEvent,
  CloudTrailRecord,
  RequestLogEntry,
  SimAccount,
  SimBucket,
  SimCredential,
  SimFault,
  SimRole,
  SimSettings,
  SimTrail,
  SimUser,
} from './sim-types';

export interface LongTermKeys {
  accountId: string;
  userName: string;
  arn: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface TrailInput {
  name: string;
  region: string;
  s3BucketName: string;
  s3KeyPrefix?: string | null;
  isMultiRegion?: boolean;
  includeGlobalServiceEvents?: boolean;
  isLogging?: boolean;
  includeManagementEvents?: boolean;
  logFileValidationEnabled?: boolean;
  kmsKeyId?: string | null;
}

export interface DigestChainState {
  last: { bucket: string; key: string; signature: string; hash: string; endTime: number } | null;
  covered: Set<string>;
}

const DEFAULT_SETTINGS: SimSettings = { credentialLifetimeSeconds: null, lookupEventsPerSecond: 2 };

/** All simulated AWS state; the protocol handlers and the control API both work on it. */
export class SimStore {
  readonly accounts = new Map<string, SimAccount>();
  readonly credentials = new Map<string, SimCredential>();
  readonly buckets = new Map<string, SimBucket>();
  readonly requestLog: RequestLogEntry[] = [];
  faults: SimFault[] = [];
  settings: SimSettings = { ...DEFAULT_SETTINGS };
  /** Admitted LookupEvents times per "account/region", for the sliding-window limit. */
  readonly lookupWindows = new Map<string, number[]>();
  /** Per "trailArn|region": the last digest delivered and the log files already covered. */
  readonly digestChains = new Map<string, DigestChainState>();

  reset(): void {
    this.accounts.clear();
    this.credentials.clear();
    this.buckets.clear();
    this.requestLog.length = 0;
    this.faults = [];
    this.settings = { ...DEFAULT_SETTINGS };
    this.lookupWindows.clear();
    this.digestChains.clear();
  }

  ensureAccount(accountId?: string): SimAccount {
    const id = accountId ?? newAccountId();
    if (!/^\d{12}$/.test(id)) throw new Error(`account id must be 12 digits: ${id}`);
    let account = this.accounts.get(id);
    if (!account) {
      account = { accountId: id, users: new Map(), roles: new Map(), trails: new Map(), events: new Map() };
      this.accounts.set(id, account);
    }
    return account;
  }

  requireAccount(accountId: string): SimAccount {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`unknown account ${accountId}`);
    return account;
  }

  createUser(accountId: string, userName: string, permissions: Iterable<string>): LongTermKeys {
    const account = this.ensureAccount(accountId);
    const user: SimUser = {
      userName,
      arn: `arn:aws:iam::${account.accountId}:user/${userName}`,
      userId: newUniqueId('AIDA'),
      permissions: new Set(permissions),
    };
    account.users.set(userName, user);
    const accessKeyId = newAccessKeyId(false);
    const secretAccessKey = newSecretAccessKey();
    this.credentials.set(accessKeyId, {
      accessKeyId,
      secretAccessKey,
      sessionToken: null,
      expiresAt: null,
      accountId: account.accountId,
      kind: 'user',
      userName,
      roleName: null,
      sessionName: null,
    });
    return { accountId: account.accountId, userName, arn: user.arn, accessKeyId, secretAccessKey };
  }

  createRole(
    accountId: string,
    input: { roleName: string; trustedAccountId: string; externalId?: string | null; permissions: Iterable<string> },
  ): SimRole {
    const account = this.ensureAccount(accountId);
    const role: SimRole = {
      roleName: input.roleName,
      arn: `arn:aws:iam::${account.accountId}:role/${input.roleName}`,
      roleId: newUniqueId('AROA'),
      trustedAccountId: input.trustedAccountId,
      externalId: input.externalId ?? null,
      permissions: new Set(input.permissions),
    };
    account.roles.set(role.roleName, role);
    return role;
  }

  findRoleByArn(roleArn: string): SimRole | null {
    const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
    if (!m) return null;
    return this.accounts.get(m[1]!)?.roles.get(m[2]!) ?? null;
  }

  issueSessionCredentials(role: SimRole, sessionName: string, durationSeconds: number, now: number): SimCredential {
    const lifetime = Math.min(durationSeconds, this.settings.credentialLifetimeSeconds ?? durationSeconds);
    const credential: SimCredential = {
      accessKeyId: newAccessKeyId(true),
      secretAccessKey: newSecretAccessKey(),
      sessionToken: newSessionToken(),
      // Whole seconds, as the Expiration the client reads has no milliseconds.
      expiresAt: Math.floor((now + lifetime * 1000) / 1000) * 1000,
      accountId: role.arn.split(':')[4]!,
      kind: 'assumed-role',
      userName: null,
      roleName: role.roleName,
      sessionName,
    };
    this.credentials.set(credential.accessKeyId, credential);
    return credential;
  }

  principalArn(credential: SimCredential): string {
    return credential.kind === 'user'
      ? `arn:aws:iam::${credential.accountId}:user/${credential.userName}`
      : `arn:aws:sts::${credential.accountId}:assumed-role/${credential.roleName}/${credential.sessionName}`;
  }

  /** IAM-style check against the live policy, so a revoked permission applies to existing sessions. */
  isAllowed(credential: SimCredential, action: string): boolean {
    const account = this.accounts.get(credential.accountId);
    const permissions =
      credential.kind === 'user'
        ? account?.users.get(credential.userName ?? '')?.permissions
        : account?.roles.get(credential.roleName ?? '')?.permissions;
    if (!permissions) return false;
    const service = action.split(':')[0];
    return permissions.has('*') || permissions.has(`${service}:*`) || permissions.has(action);
  }

  expireAllSessions(now: number): number {
    let n = 0;
    for (const c of this.credentials.values()) {
      if (c.expiresAt !== null && c.expiresAt > now) {
        c.expiresAt = now;
        n++;
      }
    }
    return n;
  }

  createTrail(accountId: string, input: TrailInput, now: number): SimTrail {
    const account = this.requireAccount(accountId);
    const trail: SimTrail = {
      name: input.name,
      arn: `arn:aws:cloudtrail:${input.region}:${accountId}:trail/${input.name}`,
      homeRegion: input.region,
      s3BucketName: input.s3BucketName,
      s3KeyPrefix: input.s3KeyPrefix ?? null,
      isMultiRegion: input.isMultiRegion ?? true,
      includeGlobalServiceEvents: input.includeGlobalServiceEvents ?? true,
      isLogging: input.isLogging ?? true,
      includeManagementEvents: input.includeManagementEvents ?? true,
      readWriteType: 'All',
      logFileValidationEnabled: input.logFileValidationEnabled ?? false,
      kmsKeyId: input.kmsKeyId ?? null,
      isOrganizationTrail: false,
      startLoggingTime: (input.isLogging ?? true) ? now : null,
      stopLoggingTime: null,
    };
    account.trails.set(trail.name, trail);
    return trail;
  }

  appendEvents(accountId: string, region: string, records: CloudTrailRecord[]): void {
    const account = this.ensureAccount(accountId);
    let list = account.events.get(region);
    if (!list) {
      list = [];
      account.events.set(region, list);
    }
    for (const record of records) {
      const timeMs = Date.parse(record.eventTime);
      if (Number.isNaN(timeMs)) throw new Error(`record ${record.eventID} has an invalid eventTime`);
      list.push({ timeMs, record });
    }
    // Kept in LookupEvents order (newest first) so a page is a binary search and a short scan.
    list.sort(newerFirst);
  }

  createBucket(name: string, ownerAccountId: string): SimBucket {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = { name, ownerAccountId, objects: new Map() };
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  putObject(bucketName: string, key: string, body: Buffer, contentType: string, now: number, metadata?: Record<string, string>): void {
    const bucket = this.buckets.get(bucketName);
    if (!bucket) throw new Error(`unknown bucket ${bucketName}`);
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    bucket.objects.set(key, { body, lastModified: now, etag, contentType, ...(metadata ? { metadata } : {}) });
  }

  /** Writes records as CloudTrail does: one gzipped {"Records":[...]} object under AWSLogs/. */
  putLogFile(
    bucketName: string,
    input: { accountId: string; region: string; records: CloudTrailRecord[]; time?: Date; prefix?: string | null },
    now: number,
  ): string {
    const t = input.time ?? new Date(now);
    const yyyy = t.getUTCFullYear().toString();
    const mm = String(t.getUTCMonth() + 1).padStart(2, '0');
    const dd = String(t.getUTCDate()).padStart(2, '0');
    const hhmm = `${String(t.getUTCHours()).padStart(2, '0')}${String(t.getUTCMinutes()).padStart(2, '0')}`;
    const unique = randomUUID().replace(/-/g, '').slice(0, 16);
    const base = `AWSLogs/${input.accountId}/CloudTrail/${input.region}/${yyyy}/${mm}/${dd}/`;
    const file = `${input.accountId}_CloudTrail_${input.region}_${yyyy}${mm}${dd}T${hhmm}Z_${unique}.json.gz`;
    const key = `${input.prefix ? `${input.prefix}/` : ''}${base}${file}`;
    this.putObject(bucketName, key, gzipSync(JSON.stringify({ Records: input.records })), 'application/x-gzip', now);
    return key;
  }

  /**
   * Exact sliding window over arrival times: admit iff, with this request added, no window
   * [t, t + 1000) holds more than N admitted requests. Arrival order and decision order can differ
   * (bodies and signatures take different times), so the check looks at both sides of t.
   */
  admitLookupEvents(accountId: string, region: string, arrival: number): boolean {
    const limit = this.settings.lookupEventsPerSecond;
    if (limit === null) return true;
    const key = `${accountId}/${region}`;
    const times = (this.lookupWindows.get(key) ?? []).filter((t) => t > arrival - 60_000);
    let i = times.findIndex((t) => t > arrival);
    if (i < 0) i = times.length;
    const withNew = [...times.slice(0, i), arrival, ...times.slice(i)];
    for (let j = Math.max(0, i - limit); j <= i && j + limit < withNew.length; j++) {
      if (withNew[j + limit]! - withNew[j]! < 1000) {
        this.lookupWindows.set(key, times);
        return false;
      }
    }
    this.lookupWindows.set(key, withNew);
    return true;
  }
}

/** Newest first; ties broken by eventID (descending) so keyset paging is stable. */
export function newerFirst(a: StoredEvent, b: StoredEvent): number {
  if (a.timeMs !== b.timeMs) return b.timeMs - a.timeMs;
  return a.record.eventID < b.record.eventID ? 1 : a.record.eventID > b.record.eventID ? -1 : 0;
}
