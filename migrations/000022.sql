-- Direct mail delivery (docs/mail.md): print batches and their pieces. Times are epoch milliseconds;
-- money in millionths of the workspace currency (as messages.cost_micros, 000017). A piece's PDF and
-- a batch's merged PDF and manifests live on disk under the data directory
-- (`<dataDir>/mail/<workspace>/<batch>/`), never in the database.

-- One per send (a broadcast, or a journey step's run of the day): its pieces merged into one print
-- batch, and where it was delivered (a print-house drop or Lob).
CREATE TABLE mail_batches (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id text NOT NULL,
  -- What the batch was made for ('broadcast:bc_…', 'journey:jr_…:node:day'): one batch per send.
  send_key text NOT NULL,
  provider_id text,
  -- building | ready | delivered | failed
  status text NOT NULL,
  piece_count integer NOT NULL,
  page_count integer NOT NULL,
  cost_micros bigint NOT NULL,
  -- Where the batch was dropped (a directory or an SFTP path), once delivered.
  delivered_to text,
  error text,
  created_at bigint NOT NULL,
  delivered_at bigint,
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX mail_batches_send ON mail_batches (workspace_id, send_key);

-- One printed piece (a letter or a postcard) to one contact.
CREATE TABLE mail_pieces (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id text NOT NULL,
  batch_id text NOT NULL,
  contact_id text NOT NULL,
  message_id text,
  -- letter | postcard
  kind text NOT NULL,
  -- a4 | us_letter | a6 | 6x4
  sheet_format text NOT NULL,
  pages integer NOT NULL,
  -- The address as printed (PostalAddress) and its country, postcode for the presort.
  address {{json}} NOT NULL,
  country text NOT NULL,
  postcode text,
  -- created | submitted | mailed | in_transit | delivered | returned | failed
  status text NOT NULL,
  provider_piece_id text,
  tracking_number text,
  cost_micros bigint NOT NULL,
  -- YYYY-MM-DD, as the provider (or the per-country delay) expects it.
  expected_delivery_date text,
  -- The personal URL (`/m/TOKEN`), where it leads, and the optional personal promo code.
  token text NOT NULL,
  target_url text,
  promo_code text,
  responded_at bigint,
  error text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX mail_pieces_batch ON mail_pieces (workspace_id, batch_id);
CREATE UNIQUE INDEX mail_pieces_token ON mail_pieces (token);
CREATE UNIQUE INDEX mail_pieces_promo ON mail_pieces (workspace_id, promo_code);
CREATE INDEX mail_pieces_provider ON mail_pieces (provider_piece_id);
