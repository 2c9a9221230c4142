-- Logging-integrity guard: each trail's accepted configuration (the baseline drift is judged
-- against) and the state of CloudTrail digest validation per account.

-- AlterTable
ALTER TABLE "aws_accounts" ADD COLUMN "trail_baseline" JSONB,
ADD COLUMN "trail_baseline_at" TIMESTAMPTZ(3),
ADD COLUMN "integrity" JSONB;
