export { AwsIngestError, toAwsIngestError, isExpiredCredentialsError, type AwsErrorCode } from './aws.errors';
export {
  AssumedCredentialsCache,
  SessionCredentials,
  type AssumeRoleTarget,
  type AssumedCredentialsCacheOptions,
} from './credentials/assumed-credentials-cache';
export {
  CustomerAwsClients,
  accountIdOfRole,
  addLookupEventsGate,
  lookupEventsKey,
  type CustomerAwsClientsOptions,
  type LookupEventsGate,
} from './clients/customer-aws-clients';
export { getPlatformAccountId, resetPlatformAccountIdCache } from './clients/platform-identity';
export { withCredentialRetry } from './clients/with-credential-retry';
export { RedisRateLimiter, RateLimitWaitAborted, type RedisRateLimiterOptions } from './rate-limit/redis-rate-limiter';
export {
  LookupEventsPager,
  type LookupEventsPage,
  type LookupEventsPagerOptions,
  type LookupEventsRun,
  type PollTarget,
} from './cloudtrail/lookup-events-pager';
export {
  S3TrailReader,
  rewindLogKey,
  trailLogPrefix,
  type MalformedLogFile,
  type S3TrailReaderOptions,
  type S3TrailReadResult,
  type TrailLogFile,
  type TrailLogLocation,
} from './s3/s3-trail-reader';
export {
  readTrailPosture,
  includesManagementEvents,
  type TrailPosture,
  type TrailPostureEntry,
  type TrailSelectors,
} from './posture/trail-posture';
export {
  baselineOf,
  diffTrailBaseline,
  bucketOwnership,
  DRIFT_KINDS,
  type TrailBaseline,
  type TrailConfig,
  type TrailDrift,
  type DriftKind,
  type BucketOwnership,
} from './posture/trail-baseline';
export {
  parseDigestKey,
  digestSigningString,
  verifyDigestSignature,
  checkLogFile,
  parseDigestFile,
  type DigestFile,
  type DigestLogFile,
  type DigestPublicKey,
  type DigestKeyParts,
  type SignatureCheck,
} from './integrity/digest-validator';
export {
  validateTrailDigests,
  digestPrefix,
  type IntegrityIssue,
  type IntegrityRun,
  type DigestChainState,
} from './integrity/digest-reader';
export {
  buildCloudFormationTemplate,
  quickCreateUrl,
  requiredPermissions,
  POSTURE_ACTIONS,
  type OnboardingModes,
  type TemplateInput,
} from './onboarding/cloudformation-template';
export { verifyRolePermissions, type PermissionCheck, type RoleVerification } from './onboarding/verify-role-permissions';
export { TemplatePublisher, TEMPLATE_LINK_SECONDS } from './onboarding/template-publisher';
