-- Tenants store Sigma filters beside their custom rules; `kind` tells them apart.
ALTER TABLE "custom_rules" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'rule';
