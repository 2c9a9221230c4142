-- Issue 14: PagerDuty Events API v2 and Microsoft Teams payload formats, and a per-tenant switch
-- for whether a rule's findings are sent as webhooks (null: the rule's shipped default).

-- AlterEnum
ALTER TYPE "WebhookPayloadFormat" ADD VALUE 'pagerduty';
ALTER TYPE "WebhookPayloadFormat" ADD VALUE 'teams';

-- AlterTable
ALTER TABLE "rule_settings" ADD COLUMN "alerting" BOOLEAN;
