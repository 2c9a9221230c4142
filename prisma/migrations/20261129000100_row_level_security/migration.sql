-- Row-level security: defense in depth behind the repositories' tenant filters.
-- The application connects as a role that owns nothing and cannot bypass RLS; each request
-- runs in a transaction that sets app.tenant_id (see libs/db tenant-scope).

CREATE FUNCTION tg_current_tenant() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

ALTER TABLE "tenants" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "tenants" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "tenants"
  USING (id = tg_current_tenant()) WITH CHECK (id = tg_current_tenant());

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'api_keys', 'aws_accounts', 'ingest_checkpoints', 'ingested_events', 'custom_rules',
    'rule_settings', 'allowlist_entries', 'findings', 'finding_events', 'finding_activity',
    'domain_events', 'webhook_endpoints', 'webhook_secrets', 'webhook_deliveries',
    'webhook_attempts', 'audit_log'
  ] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (tenant_id = tg_current_tenant()) WITH CHECK (tenant_id = tg_current_tenant())',
      t);
  END LOOP;
END $$;

-- The few look-ups that must happen before a tenant is known. SECURITY DEFINER runs them as the
-- migrating role (which must bypass RLS: a superuser or BYPASSRLS), and each returns only what
-- its caller needs.

-- Authenticate an API key by the SHA-256 of its secret.
CREATE FUNCTION tg_auth_api_key(p_secret_hash text)
  RETURNS TABLE (id uuid, tenant_id uuid, role "ApiKeyRole", revoked_at timestamptz(3))
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT k.id, k.tenant_id, k.role, k.revoked_at FROM api_keys k WHERE k.secret_hash = p_secret_hash $$;

-- The tenant and ingest-token hash of an account, for EventBridge pushes.
CREATE FUNCTION tg_ingest_account(p_account_id uuid)
  RETURNS TABLE (tenant_id uuid, ingest_token_hash text, status "AwsAccountStatus")
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT a.tenant_id, a.ingest_token_hash, a.status FROM aws_accounts a WHERE a.id = p_account_id $$;

-- Accounts that schedulers poll, across tenants (ids only).
CREATE FUNCTION tg_active_accounts()
  RETURNS TABLE (tenant_id uuid, id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT a.tenant_id, a.id FROM aws_accounts a WHERE a.status = 'active' $$;

-- Outbox rows not yet handed to the queue, across tenants (ids only).
CREATE FUNCTION tg_unpublished_domain_events(p_limit int)
  RETURNS TABLE (tenant_id uuid, id uuid)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT e.tenant_id, e.id FROM domain_events e WHERE e.published_at IS NULL
        ORDER BY e.created_at LIMIT p_limit $$;

REVOKE ALL ON FUNCTION tg_auth_api_key(text), tg_ingest_account(uuid), tg_active_accounts(),
  tg_unpublished_domain_events(int) FROM PUBLIC;
