-- Bounded storage (issue 10).
-- * ingested_events (the de-duplication ledger) and domain_events (the outbox) become tables
--   partitioned by day (Postgres declarative partitioning, RANGE on event_time / created_at).
--   Retention drops whole partitions; the retention job creates partitions ahead. Prisma cannot
--   express partitioning: schema.prisma keeps describing the columns, and the primary keys here
--   carry the partition column as Postgres requires (test/migrations.int-spec.ts accounts for it).
-- * finding_events gains seq (the ordinal of the event in its finding) for evidence sampling.
-- * tenants gain retention_days (findings and evidence; NULL: the platform default).

ALTER TABLE "tenants" ADD COLUMN "retention_days" INTEGER;
ALTER TABLE "finding_events" ADD COLUMN "seq" INTEGER NOT NULL DEFAULT 0;

-- Partitions are named <table>_pYYYYMMDD and cover one UTC day. Both functions run as the
-- migrating role (the application role owns no table) and accept only the partitioned tables.
CREATE FUNCTION tg_ensure_daily_partitions(p_table text, p_from date, p_to date) RETURNS integer
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
      made := made + 1;
    END IF;
    d := d + 1;
  END LOOP;
  RETURN made;
END $$;

-- Drops the partitions whose whole day ends at or before p_before and returns each with its row
-- count. The outbox keeps a partition that still holds an unpublished event.
CREATE FUNCTION tg_drop_daily_partitions(p_table text, p_before timestamptz)
  RETURNS TABLE (partition_name text, row_count bigint)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public
  AS $$
DECLARE
  child text;
  day_end timestamptz;
  pending boolean;
BEGIN
  IF p_table NOT IN ('ingested_events', 'domain_events') THEN
    RAISE EXCEPTION 'not a partitioned table: %', p_table;
  END IF;
  FOR child IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = p_table::regclass AND c.relname ~ ('^' || p_table || '_p[0-9]{8}$')
    ORDER BY c.relname
  LOOP
    day_end := (to_date(right(child, 8), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC';
    CONTINUE WHEN day_end > p_before;
    IF p_table = 'domain_events' THEN
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE published_at IS NULL)', child) INTO pending;
      CONTINUE WHEN pending;
    END IF;
    partition_name := child;
    EXECUTE format('SELECT count(*) FROM %I', child) INTO row_count;
    EXECUTE format('DROP TABLE %I', child);
    RETURN NEXT;
  END LOOP;
END $$;

REVOKE ALL ON FUNCTION tg_ensure_daily_partitions(text, date, date), tg_drop_daily_partitions(text, timestamptz) FROM PUBLIC;

-- The ledger: one row per (tenant, eventID, eventTime). A replay of an event carries the same
-- eventTime, so it lands in the same partition and conflicts; event_time is now required.
ALTER TABLE "ingested_events" RENAME TO "ingested_events_unpartitioned";
ALTER TABLE "ingested_events_unpartitioned" RENAME CONSTRAINT "ingested_events_pkey" TO "ingested_events_unpartitioned_pkey";
DROP INDEX "ingested_events_tenant_id_batch_id_idx";
CREATE TABLE "ingested_events" (
    "tenant_id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "account_id" UUID,
    "source" "IngestSource" NOT NULL,
    "batch_id" TEXT NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ingested_events_pkey" PRIMARY KEY ("tenant_id","event_time","event_id")
) PARTITION BY RANGE ("event_time");

ALTER TABLE "domain_events" RENAME TO "domain_events_unpartitioned";
ALTER TABLE "domain_events_unpartitioned" RENAME CONSTRAINT "domain_events_pkey" TO "domain_events_unpartitioned_pkey";
ALTER INDEX "domain_events_tenant_id_id_key" RENAME TO "domain_events_unpartitioned_tenant_id_id_key";
ALTER INDEX "domain_events_published_at_created_at_idx" RENAME TO "domain_events_unpartitioned_published_at_created_at_idx";
DROP TRIGGER domain_events_notify_outbox ON "domain_events_unpartitioned";
CREATE TABLE "domain_events" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "domain_events_pkey" PRIMARY KEY ("id","created_at")
) PARTITION BY RANGE ("created_at");
CREATE UNIQUE INDEX "domain_events_tenant_id_id_key" ON "domain_events"("tenant_id", "id", "created_at");
CREATE INDEX "domain_events_published_at_created_at_idx" ON "domain_events"("published_at", "created_at");
CREATE TRIGGER domain_events_notify_outbox
  AFTER INSERT ON "domain_events"
  FOR EACH STATEMENT EXECUTE FUNCTION tg_notify_outbox();

-- Partitions for the last 8 days and the next 7 (the retention job keeps creating them ahead).
SELECT tg_ensure_daily_partitions(t, (now() AT TIME ZONE 'UTC')::date - 8, (now() AT TIME ZONE 'UTC')::date + 8)
FROM unnest(ARRAY['ingested_events', 'domain_events']) AS t;

-- An unpublished event older than that still needs a partition: the relay has yet to hand it on.
SELECT tg_ensure_daily_partitions('domain_events', (min("created_at") AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date - 8)
  FROM "domain_events_unpartitioned" WHERE "published_at" IS NULL HAVING count(*) > 0;

-- What was there and falls inside the new partitions moves over; the rest is past any window.
INSERT INTO "ingested_events" SELECT "tenant_id", "event_id", "account_id", "source", "batch_id", "event_time", "received_at"
  FROM "ingested_events_unpartitioned"
  WHERE "event_time" >= (now() AT TIME ZONE 'UTC')::date - 8 AND "event_time" < (now() AT TIME ZONE 'UTC')::date + 8;
INSERT INTO "domain_events" SELECT "id", "tenant_id", "type", "data", "created_at", "published_at"
  FROM "domain_events_unpartitioned"
  WHERE "created_at" >= (now() AT TIME ZONE 'UTC')::date - 8 OR "published_at" IS NULL;
DROP TABLE "ingested_events_unpartitioned";
DROP TABLE "domain_events_unpartitioned";

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['ingested_events', 'domain_events'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY tenant_isolation ON %I USING (tenant_id = tg_current_tenant()) WITH CHECK (tenant_id = tg_current_tenant())',
      t);
  END LOOP;
END $$;

-- Evidence sampling keeps the first and the latest events of a finding by seq.
CREATE INDEX "finding_events_tenant_id_finding_id_seq_idx" ON "finding_events"("tenant_id", "finding_id", "seq");
