-- Wakes the webhook relay as soon as a transaction that wrote domain events commits, instead of
-- at its next one-second poll (which stays as the fallback). Statement-level, and Postgres folds
-- identical notifications of one transaction into one.
CREATE FUNCTION tg_notify_outbox() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  PERFORM pg_notify('trailguard_outbox', '');
  RETURN NULL;
END $$;

CREATE TRIGGER domain_events_notify_outbox
  AFTER INSERT ON domain_events
  FOR EACH STATEMENT EXECUTE FUNCTION tg_notify_outbox();
