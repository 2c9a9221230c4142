-- The findings list filtered by actor walked the newest-first index until it found a page of
-- one principal's findings (a quarter of a million rows at 1M findings); this index serves it.
-- CreateIndex
CREATE INDEX "findings_tenant_id_actor_created_at_id_idx" ON "findings"("tenant_id", "actor", "created_at" DESC, "id" DESC);
