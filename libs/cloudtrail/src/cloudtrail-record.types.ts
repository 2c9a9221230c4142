/**
 * Loose CloudTrail record shapes. Real logs carry many service-specific keys and test corpora omit
 * fields freely, so everything is optional and unknown keys are allowed.
 */
export interface SessionIssuer {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  userName?: string;
  [key: string]: unknown;
}

export interface SessionContext {
  sessionIssuer?: SessionIssuer;
  webIdFederationData?: Record<string, unknown>;
  attributes?: {
    creationDate?: string;
    // CloudTrail writes this as the string "true"/"false", not a boolean.
    mfaAuthenticated?: string;
    [key: string]: unknown;
  };
  sourceIdentity?: string;
  ec2RoleDelivery?: string;
  [key: string]: unknown;
}

export type UserIdentityType =
  | 'Root'
  | 'IAMUser'
  | 'AssumedRole'
  | 'FederatedUser'
  | 'Directory'
  | 'AWSAccount'
  | 'AWSService'
  | 'IdentityCenterUser'
  | 'Unknown'
  | (string & {});

export interface UserIdentity {
  type?: UserIdentityType;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  invokedBy?: string;
  identityProvider?: string;
  credentialId?: string;
  onBehalfOf?: { userId?: string; identityStoreArn?: string; [key: string]: unknown };
  sessionContext?: SessionContext;
  [key: string]: unknown;
}

export interface CloudTrailResource {
  ARN?: string;
  accountId?: string;
  type?: string;
  [key: string]: unknown;
}

export interface CloudTrailRecord {
  eventVersion?: string;
  eventTime?: string;
  eventSource?: string;
  eventName?: string;
  eventID?: string;
  eventType?: string;
  eventCategory?: string;
  awsRegion?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  userIdentity?: UserIdentity;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown>;
  errorCode?: string;
  errorMessage?: string;
  requestID?: string;
  readOnly?: boolean;
  managementEvent?: boolean;
  recipientAccountId?: string;
  sharedEventID?: string;
  vpcEndpointId?: string;
  apiVersion?: string;
  resources?: CloudTrailResource[];
  tlsDetails?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The S3 trail log-file document. */
export interface CloudTrailLogFile {
  Records: unknown[];
}
