-- The webhook sweep: pending deliveries whose next attempt is overdue (their job was lost with a
-- Redis that kept no data, or failed all its retries) get a job again.

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");

-- Pending deliveries due before p_before, across tenants (ids only), most overdue first. A new
-- delivery has no next_attempt_at yet: it is due from its creation.
CREATE FUNCTION tg_overdue_webhook_deliveries(p_before timestamptz, p_limit int)
  RETURNS TABLE (tenant_id uuid, id uuid, attempt_count int)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
  AS $$ SELECT d.tenant_id, d.id, d.attempt_count FROM webhook_deliveries d
         WHERE d.status = 'pending' AND COALESCE(d.next_attempt_at, d.created_at) < p_before
         ORDER BY COALESCE(d.next_attempt_at, d.created_at) LIMIT p_limit $$;

REVOKE ALL ON FUNCTION tg_overdue_webhook_deliveries(timestamptz, int) FROM PUBLIC;
