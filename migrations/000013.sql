-- Complaints are their own fact on a message: the message was delivered (its status stays `sent`),
-- and later its recipient reported it as spam (RFC 5965 ARF, or a provider's complaint feed).
-- Measurement counts complaints per journey, node and template from this column.
ALTER TABLE messages ADD COLUMN complained_at bigint;
