-- Direct mail on the send pipeline (docs/mail.md "Sending: journeys, broadcasts and the day's batch").
-- A piece sent by a journey step or a broadcast joins its provider's open batch of the day (status
-- `building`, send_key `day:<provider>:<YYYY-MM-DD>`), closed by the worker at the cut-off.

-- The day (in the workspace's time zone) and the instant the day's batch closes; null for batches
-- built whole by one send (000022).
ALTER TABLE mail_batches ADD COLUMN day text;
ALTER TABLE mail_batches ADD COLUMN cutoff_at bigint;
-- The worker's claim (a lease: a killed worker's batch is taken over when it ends) and its retries.
ALTER TABLE mail_batches ADD COLUMN lease_until bigint;
ALTER TABLE mail_batches ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE mail_batches ADD COLUMN next_attempt_at bigint;
CREATE INDEX mail_batches_due ON mail_batches (status, cutoff_at);

-- Pieces a print house took whose expected delivery date has come: `mail.delivered` is recorded then.
CREATE INDEX mail_pieces_landing ON mail_pieces (status, expected_delivery_date);
