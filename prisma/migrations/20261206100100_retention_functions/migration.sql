-- Retention across tenants, for the scheduled retention job (the application role sees one
-- tenant at a time under RLS). Each runs as the migrating role, deletes at most p_limit rows of
-- its kind per call (the job calls again until less comes back) and reports what it removed.

-- Finished webhook deliveries (succeeded or failed) last touched before p_before, with their attempts.
CREATE FUNCTION tg_expire_deliveries(p_before timestamptz, p_limit int)
  RETURNS TABLE (deliveries bigint, attempts bigint)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
  AS $$
DECLARE
  ids uuid[];
BEGIN
  SELECT array_agg(d.id) INTO ids FROM (
    SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND updated_at < p_before LIMIT p_limit
  ) d;
  IF ids IS NULL THEN
    deliveries := 0; attempts := 0; RETURN NEXT; RETURN;
  END IF;
  DELETE FROM webhook_attempts WHERE delivery_id = ANY (ids);
  GET DIAGNOSTICS attempts = ROW_COUNT;
  DELETE FROM webhook_deliveries WHERE id = ANY (ids);
  GET DIAGNOSTICS deliveries = ROW_COUNT;
  RETURN NEXT;
END $$;

-- Findings whose last event is older than their tenant's retention (tenants.retention_days, else
-- p_default_days, never more than p_max_days), with their evidence and activity.
CREATE FUNCTION tg_expire_findings(p_default_days int, p_max_days int, p_limit int)
  RETURNS TABLE (findings bigint, evidence bigint, activity bigint)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
  AS $$
DECLARE
  ids uuid[];
BEGIN
  SELECT array_agg(x.id) INTO ids FROM (
    SELECT f.id FROM findings f JOIN tenants t ON t.id = f.tenant_id
    WHERE f.last_seen_at < now() - make_interval(days => LEAST(coalesce(t.retention_days, p_default_days), p_max_days))
    LIMIT p_limit
  ) x;
  IF ids IS NULL THEN
    findings := 0; evidence := 0; activity := 0; RETURN NEXT; RETURN;
  END IF;
  DELETE FROM finding_events WHERE finding_id = ANY (ids);
  GET DIAGNOSTICS evidence = ROW_COUNT;
  DELETE FROM finding_activity WHERE finding_id = ANY (ids);
  GET DIAGNOSTICS activity = ROW_COUNT;
  DELETE FROM findings WHERE id = ANY (ids);
  GET DIAGNOSTICS findings = ROW_COUNT;
  RETURN NEXT;
END $$;

REVOKE ALL ON FUNCTION tg_expire_deliveries(timestamptz, int), tg_expire_findings(int, int, int) FROM PUBLIC;

-- Finished deliveries are found by age; findings by last event.
CREATE INDEX "webhook_deliveries_status_updated_at_idx" ON "webhook_deliveries"("status", "updated_at");
CREATE INDEX "findings_last_seen_at_idx" ON "findings"("last_seen_at");
