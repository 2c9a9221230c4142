export { Database, type Tx, type TenantScope, type SqlScope, type SqlRunner, type DatabaseOptions, type SqlQuery } from './database';
export { asTenantId, isUuid, type TenantId } from './tenant-id';
export { migrate, MIGRATIONS_DIR, type MigrationResult } from './migrator';
export { prepareDatabase, deriveAppUrl, assertAppRoleConfined, UnsafeAppRoleError, APP_ROLE } from './bootstrap';
export * from './pagination';
export { TenantsRepository } from './repositories/tenants.repository';
export { ApiKeysRepository, type ApiKeyAuth } from './repositories/api-keys.repository';
export { DomainEventsRepository, type DomainEventType } from './repositories/domain-events.repository';
export {
  AwsAccountsRepository,
  type AccountRef,
  type AwsAccountChanges,
  type AwsAccountCreate,
  type IngestAccountAuth,
} from './repositories/aws-accounts.repository';
export { IngestCheckpointsRepository, type CheckpointKey, type CheckpointProgress } from './repositories/ingest-checkpoints.repository';
export {
  WebhooksRepository,
  type AttemptContext,
  type NewWebhookDelivery,
  type WebhookDeliveryWithAttempts,
  type WebhookEndpointWithSecrets,
} from './repositories/webhooks.repository';
export { IngestedEventsRepository, type IncomingEvent } from './repositories/ingested-events.repository';
export { RulesRepository } from './repositories/rules.repository';
export { AllowlistRepository } from './repositories/allowlist.repository';
export { LoggingIntegrityRepository } from './repositories/logging-integrity.repository';
export {
  FindingsRepository,
  EVIDENCE_RECORDS,
  type FindingFilters,
  type FindingGroup,
  type GroupOutcome,
  type FindingChange,
} from './repositories/findings.repository';
export { evidenceSplit } from './repositories/finding-changes';
export { findingView, type FindingView } from './finding-view';
export { FindingReadsRepository, type FindingRow, type EvidenceRow } from './repositories/finding-reads.repository';
export { Prisma } from './generated/client';
export type * from './generated/client';
export * from './generated/enums';
export { RetentionRepository, type DroppedPartition, type PartitionedTable } from './repositories/retention.repository';
