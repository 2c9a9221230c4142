/** A CloudTrail record as AWS writes it in log files and in LookupEvents' CloudTrailEvent. */
export type CloudTrailRecord = {
  eventID: string;
  eventTime: string;
  eventName: string;
  eventSource: string;
  awsRegion?: string;
  [field: string]: unknown;
};

export type SimService = 'sts' | 'cloudtrail' | 's3';

export interface RequestLogEntry {
  /** ms since epoch when the request reached the simulator (the time the rate limit judges). */
  time: number;
  service: SimService | 'unknown';
  action: string;
  accountId: string | null;
  region: string | null;
  accessKeyId: string | null;
  status: number;
  errorCode: string | null;
}

export interface SimUser {
  userName: string;
  arn: string;
  userId: string;
  permissions: Set<string>;
}

export interface SimRole {
  roleName: string;
  arn: string;
  roleId: string;
  /** Account whose principals may assume the role (trust policy principal arn:aws:iam::<id>:root). */
  trustedAccountId: string;
  /** sts:ExternalId condition of the trust policy; null means no condition. */
  externalId: string | null;
  permissions: Set<string>;
}

export interface SimTrail {
  name: string;
  arn: string;
  homeRegion: string;
  s3BucketName: string;
  s3KeyPrefix: string | null;
  isMultiRegion: boolean;
  includeGlobalServiceEvents: boolean;
  isLogging: boolean;
  includeManagementEvents: boolean;
  readWriteType: 'ReadOnly' | 'WriteOnly' | 'All';
  logFileValidationEnabled: boolean;
  kmsKeyId: string | null;
  isOrganizationTrail: boolean;
  startLoggingTime: number | null;
  stopLoggingTime: number | null;
}

export interface SimAccount {
  accountId: string;
  users: Map<string, SimUser>;
  roles: Map<string, SimRole>;
  trails: Map<string, SimTrail>;
  /** Event history per region, the LookupEvents source. */
  events: Map<string, StoredEvent[]>;
}

export interface StoredEvent {
  timeMs: number;
  record: CloudTrailRecord;
}

/** Who signed a request: a long-term user key or a temporary session of an assumed role. */
export interface SimCredential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | null;
  /** ms since epoch; null for long-term keys. */
  expiresAt: number | null;
  accountId: string;
  kind: 'user' | 'assumed-role';
  userName: string | null;
  roleName: string | null;
  sessionName: string | null;
}

export interface SimObject {
  body: Buffer;
  lastModified: number;
  etag: string;
  contentType: string;
  /** User metadata, served as x-amz-meta-<name> headers (digest signatures live here). */
  metadata?: Record<string, string>;
}

export interface SimBucket {
  name: string;
  ownerAccountId: string;
  objects: Map<string, SimObject>;
}

export type SimFault =
  | { kind: 'throttle'; action: string; every: number; until: number | null; seen: number }
  | { kind: 'server-error'; action: string; remaining: number; status: number };

export interface SimSettings {
  /** Lifetime of credentials issued by AssumeRole, capping DurationSeconds. */
  credentialLifetimeSeconds: number | null;
  /** LookupEvents admitted per sliding second per account-region; null disables the limit. */
  lookupEventsPerSecond: number | null;
}
