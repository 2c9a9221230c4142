-- Evidence stored before sampling (migration 20261206100000 gave it seq 0) is cut to the default
-- sample (FINDING_EVIDENCE_MAX = 100: the first 50 and the latest 50 by event time), then gets its
-- ordinals; event counts are untouched. Only findings whose evidence is all unnumbered: rows
-- numbered since then are already a sample.
CREATE TEMPORARY TABLE unnumbered ON COMMIT DROP AS
SELECT e."tenant_id", e."finding_id", e."event_id",
       row_number() OVER (PARTITION BY e."tenant_id", e."finding_id" ORDER BY e."event_time", e."event_id") AS n,
       count(*) OVER (PARTITION BY e."tenant_id", e."finding_id") AS total
FROM "finding_events" e
WHERE NOT EXISTS (SELECT 1 FROM "finding_events" o
                  WHERE o."tenant_id" = e."tenant_id" AND o."finding_id" = e."finding_id" AND o."seq" <> 0);

DELETE FROM "finding_events" AS fe USING unnumbered AS r
WHERE fe."tenant_id" = r."tenant_id" AND fe."finding_id" = r."finding_id" AND fe."event_id" = r."event_id"
  AND r.n > 50 AND r.n <= r.total - 50;

UPDATE "finding_events" AS fe SET "seq" = r.n
FROM unnumbered AS r
WHERE fe."tenant_id" = r."tenant_id" AND fe."finding_id" = r."finding_id" AND fe."event_id" = r."event_id";
