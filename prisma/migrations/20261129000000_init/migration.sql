-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('admin', 'analyst', 'viewer');

-- CreateEnum
CREATE TYPE "AwsAccountStatus" AS ENUM ('pending', 'active', 'error', 'disabled');

-- CreateEnum
CREATE TYPE "IngestSource" AS ENUM ('polling', 's3', 'eventbridge', 'upload');

-- CreateEnum
CREATE TYPE "Severity" AS ENUM ('informational', 'low', 'medium', 'high', 'critical');

-- CreateEnum
CREATE TYPE "FindingStatus" AS ENUM ('open', 'acknowledged', 'resolved', 'false_positive', 'suppressed');

-- CreateEnum
CREATE TYPE "FindingKind" AS ENUM ('detection', 'correlation', 'posture');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('pending', 'succeeded', 'failed');

-- CreateTable
CREATE TABLE "tenants" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "created_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "aws_accounts" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "aws_account_id" TEXT,
    "external_id" TEXT NOT NULL,
    "role_arn" TEXT,
    "status" "AwsAccountStatus" NOT NULL DEFAULT 'pending',
    "status_reason" TEXT,
    "regions" TEXT[],
    "polling_enabled" BOOLEAN NOT NULL DEFAULT true,
    "s3_bucket" TEXT,
    "s3_prefix" TEXT,
    "ingest_token_hash" TEXT,
    "verification" JSONB,
    "verified_at" TIMESTAMPTZ(3),
    "posture" JSONB,
    "posture_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "aws_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ingest_checkpoints" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "region" TEXT NOT NULL,
    "source" "IngestSource" NOT NULL,
    "last_event_time" TIMESTAMPTZ(3),
    "last_key" TEXT,
    "last_poll_at" TIMESTAMPTZ(3),
    "last_success_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "events_ingested" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ingest_checkpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ingested_events" (
    "tenant_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "account_id" UUID,
    "source" "IngestSource" NOT NULL,
    "batch_id" TEXT NOT NULL,
    "event_time" TIMESTAMPTZ(3),
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ingested_events_pkey" PRIMARY KEY ("tenant_id","event_id")
);

-- CreateTable
CREATE TABLE "custom_rules" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "rule_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "level" TEXT,
    "yaml" TEXT NOT NULL,
    "created_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "custom_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rule_settings" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "rule_id" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "level_override" "Severity",
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "rule_settings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "allowlist_entries" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "principal_pattern" TEXT NOT NULL,
    "rule_ids" TEXT[],
    "reason" TEXT NOT NULL,
    "created_by" TEXT,
    "expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "allowlist_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "findings" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "kind" "FindingKind" NOT NULL DEFAULT 'detection',
    "rule_id" TEXT NOT NULL,
    "rule_title" TEXT NOT NULL,
    "severity" "Severity" NOT NULL,
    "status" "FindingStatus" NOT NULL DEFAULT 'open',
    "account_id" UUID,
    "actor" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "tags" TEXT[],
    "region" TEXT,
    "source_ip" TEXT,
    "user_agent" TEXT,
    "event_count" INTEGER NOT NULL DEFAULT 0,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL,
    "assignee" TEXT,
    "allowlist_entry_id" UUID,
    "related_finding_id" UUID,
    "details" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "findings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "finding_events" (
    "tenant_id" UUID NOT NULL,
    "finding_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "event_time" TIMESTAMPTZ(3),
    "record" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "finding_events_pkey" PRIMARY KEY ("tenant_id","finding_id","event_id")
);

-- CreateTable
CREATE TABLE "finding_activity" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "finding_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "actor" TEXT,
    "data" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "finding_activity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "domain_events" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "domain_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_endpoints" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "event_types" TEXT[],
    "min_severity" "Severity" NOT NULL DEFAULT 'informational',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabled_reason" TEXT,
    "failing_since" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_secrets" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_secrets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "message_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_attempts" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "delivery_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "status_code" INTEGER,
    "latency_ms" INTEGER NOT NULL,
    "response_snippet" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "actor" TEXT,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT,
    "data" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_secret_hash_key" ON "api_keys"("secret_hash");

-- CreateIndex
CREATE INDEX "api_keys_tenant_id_created_at_idx" ON "api_keys"("tenant_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_tenant_id_id_key" ON "api_keys"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "aws_accounts_external_id_key" ON "aws_accounts"("external_id");

-- CreateIndex
CREATE INDEX "aws_accounts_tenant_id_created_at_idx" ON "aws_accounts"("tenant_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "aws_accounts_tenant_id_id_key" ON "aws_accounts"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "ingest_checkpoints_tenant_id_id_key" ON "ingest_checkpoints"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "ingest_checkpoints_tenant_id_account_id_region_source_key" ON "ingest_checkpoints"("tenant_id", "account_id", "region", "source");

-- CreateIndex
CREATE INDEX "ingested_events_tenant_id_batch_id_idx" ON "ingested_events"("tenant_id", "batch_id");

-- CreateIndex
CREATE UNIQUE INDEX "custom_rules_tenant_id_id_key" ON "custom_rules"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "custom_rules_tenant_id_rule_id_key" ON "custom_rules"("tenant_id", "rule_id");

-- CreateIndex
CREATE UNIQUE INDEX "rule_settings_tenant_id_id_key" ON "rule_settings"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "rule_settings_tenant_id_rule_id_key" ON "rule_settings"("tenant_id", "rule_id");

-- CreateIndex
CREATE INDEX "allowlist_entries_tenant_id_created_at_idx" ON "allowlist_entries"("tenant_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "allowlist_entries_tenant_id_id_key" ON "allowlist_entries"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "findings_tenant_id_created_at_id_idx" ON "findings"("tenant_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "findings_tenant_id_status_created_at_idx" ON "findings"("tenant_id", "status", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "findings_tenant_id_id_key" ON "findings"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "findings_aggregation_key" ON "findings"("tenant_id", "rule_id", "account_id", "actor", "window_start");

-- CreateIndex
CREATE INDEX "finding_activity_tenant_id_finding_id_created_at_idx" ON "finding_activity"("tenant_id", "finding_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "finding_activity_tenant_id_id_key" ON "finding_activity"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "domain_events_published_at_created_at_idx" ON "domain_events"("published_at", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "domain_events_tenant_id_id_key" ON "domain_events"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_endpoints_tenant_id_id_key" ON "webhook_endpoints"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_secrets_tenant_id_id_key" ON "webhook_secrets"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_tenant_id_endpoint_id_created_at_idx" ON "webhook_deliveries"("tenant_id", "endpoint_id", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_tenant_id_id_key" ON "webhook_deliveries"("tenant_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_tenant_id_endpoint_id_message_id_key" ON "webhook_deliveries"("tenant_id", "endpoint_id", "message_id");

-- CreateIndex
CREATE INDEX "webhook_attempts_tenant_id_delivery_id_attempt_idx" ON "webhook_attempts"("tenant_id", "delivery_id", "attempt");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_attempts_tenant_id_id_key" ON "webhook_attempts"("tenant_id", "id");

-- CreateIndex
CREATE INDEX "audit_log_tenant_id_created_at_idx" ON "audit_log"("tenant_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "audit_log_tenant_id_id_key" ON "audit_log"("tenant_id", "id");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "aws_accounts" ADD CONSTRAINT "aws_accounts_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ingest_checkpoints" ADD CONSTRAINT "ingest_checkpoints_tenant_id_account_id_fkey" FOREIGN KEY ("tenant_id", "account_id") REFERENCES "aws_accounts"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "custom_rules" ADD CONSTRAINT "custom_rules_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rule_settings" ADD CONSTRAINT "rule_settings_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "allowlist_entries" ADD CONSTRAINT "allowlist_entries_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "findings" ADD CONSTRAINT "findings_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "findings" ADD CONSTRAINT "findings_tenant_id_account_id_fkey" FOREIGN KEY ("tenant_id", "account_id") REFERENCES "aws_accounts"("tenant_id", "id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "findings" ADD CONSTRAINT "findings_tenant_id_allowlist_entry_id_fkey" FOREIGN KEY ("tenant_id", "allowlist_entry_id") REFERENCES "allowlist_entries"("tenant_id", "id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "finding_events" ADD CONSTRAINT "finding_events_tenant_id_finding_id_fkey" FOREIGN KEY ("tenant_id", "finding_id") REFERENCES "findings"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "finding_activity" ADD CONSTRAINT "finding_activity_tenant_id_finding_id_fkey" FOREIGN KEY ("tenant_id", "finding_id") REFERENCES "findings"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_secrets" ADD CONSTRAINT "webhook_secrets_tenant_id_endpoint_id_fkey" FOREIGN KEY ("tenant_id", "endpoint_id") REFERENCES "webhook_endpoints"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_tenant_id_endpoint_id_fkey" FOREIGN KEY ("tenant_id", "endpoint_id") REFERENCES "webhook_endpoints"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_tenant_id_delivery_id_fkey" FOREIGN KEY ("tenant_id", "delivery_id") REFERENCES "webhook_deliveries"("tenant_id", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

