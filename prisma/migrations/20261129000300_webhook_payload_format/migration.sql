-- Webhook endpoints choose their payload: the Standard Webhooks JSON event or a Slack message.

-- CreateEnum
CREATE TYPE "WebhookPayloadFormat" AS ENUM ('standard', 'slack');

-- AlterTable
ALTER TABLE "webhook_endpoints" ADD COLUMN "payload_format" "WebhookPayloadFormat" NOT NULL DEFAULT 'standard';
