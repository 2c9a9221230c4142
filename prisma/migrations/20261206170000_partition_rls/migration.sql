-- Row-level security on every daily partition, not only on the partitioned parents: a partition
-- is a table of its own, and a query that names it directly would otherwise see every tenant.

CREATE FUNCTION tg_secure_partition(p_part text) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
  AS $$
BEGIN
  EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', p_part);
  EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', p_part);
  IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = 'public' AND tablename = p_part AND policyname = 'tenant_isolation') THEN
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (tenant_id = tg_current_tenant()) WITH CHECK (tenant_id = tg_current_tenant())',
      p_part);
  END IF;
END $$;

CREATE OR REPLACE FUNCTION tg_ensure_daily_partitions(p_table text, p_from date, p_to date) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
  AS $$
DECLARE
  d date := p_from;
  made integer := 0;
  part text;
BEGIN
  IF p_table NOT IN ('ingested_events', 'domain_events') THEN
    RAISE EXCEPTION 'not a partitioned table: %', p_table;
  END IF;
  WHILE d < p_to LOOP
    part := p_table || '_p' || to_char(d, 'YYYYMMDD');
    IF to_regclass(part) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', part, p_table,
        d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC');
      PERFORM tg_secure_partition(part);
      made := made + 1;
    END IF;
    d := d + 1;
  END LOOP;
  RETURN made;
END $$;

REVOKE ALL ON FUNCTION tg_secure_partition(text) FROM PUBLIC;

DO $$
DECLARE
  part text;
BEGIN
  FOR part IN
    SELECT c.relname FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname IN ('ingested_events', 'domain_events')
  LOOP
    PERFORM tg_secure_partition(part);
  END LOOP;
END $$;
