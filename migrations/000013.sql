-- Complaints are their own fact on a message: the message was delivered (its status stays `sent`),
-- and later its recipient reported it as spam (RFC 5965 ARF, or a provider's complaint feed).
-- Measurement counts complaints per journey, node and template from this column.
ALTER TABLE messages ADD COLUMN complained_at bigint;

-- Transactional sends through the API that met a temporary failure are retried by a worker
-- (src/messages/retry.ts): retry_at is when the next attempt is due (NULL: nothing to retry) and
-- send_request what the attempt needs again (template and data; the contact is contact_id).
ALTER TABLE messages ADD COLUMN retry_at bigint;
ALTER TABLE messages ADD COLUMN send_request {{json}};
CREATE INDEX messages_retry_due ON messages (retry_at) WHERE retry_at IS NOT NULL;
