-- Post series on the brand's own accounts (docs/posts.md). Times are epoch milliseconds; every
-- table is keyed by workspace first.

-- Where posts go: a Mastodon account, a Telegram channel (through a bot) or a signed webhook.
-- `settings` is what the API shows (server URL, channel, limits found when verified); `secrets`
-- (access token, bot token, signing secret) is sealed with the secret key and never returned.
CREATE TABLE post_accounts (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id text NOT NULL,
  kind text NOT NULL,
  name text NOT NULL,
  settings {{json}} NOT NULL,
  secrets text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, id)
);

-- A series: its time zone, its schedule (a recurrence, or null for dated posts), the accounts it
-- posts to and the UTM parameters its links carry.
CREATE TABLE post_series (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id text NOT NULL,
  name text NOT NULL,
  timezone text NOT NULL,
  recurrence {{json}},
  account_ids {{json}} NOT NULL,
  utm {{json}} NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, id)
);

-- A series' posts in order: Liquid text, image ids, when it is due.
CREATE TABLE posts (
  workspace_id text NOT NULL,
  id text NOT NULL,
  series_id text NOT NULL,
  position integer NOT NULL,
  text text NOT NULL,
  images {{json}} NOT NULL,
  due_at bigint NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, series_id) REFERENCES post_series(workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX posts_series_position ON posts (workspace_id, series_id, position);

-- Uploaded images; the bytes are a file in the data directory named after the id.
CREATE TABLE post_images (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id text NOT NULL,
  content_type text NOT NULL,
  bytes integer NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, id)
);

-- One post on one account: recorded before the account's API is called, published exactly once.
-- status: pending | published | failed (for good, with the reason) | unknown (a worker stopped
-- after calling an API that has no idempotency key: not posted again by itself).
CREATE TABLE post_deliveries (
  workspace_id text NOT NULL,
  post_id text NOT NULL,
  account_id text NOT NULL,
  status text NOT NULL,
  idempotency_key text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  due_at bigint NOT NULL,
  lease_until bigint,
  claimed_by text,
  -- Set just before the account's API is called, cleared when its answer is recorded: still set
  -- when the row is claimed again means a worker stopped between the call and the record.
  call_started_at bigint,
  reason text,
  remote_id text,
  remote_url text,
  published_at bigint,
  favourites integer,
  reblogs integer,
  replies integer,
  views integer,
  engagement_at bigint,
  engagement_due_at bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, post_id, account_id),
  FOREIGN KEY (workspace_id, post_id) REFERENCES posts(workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX post_deliveries_due ON post_deliveries (status, due_at);
CREATE INDEX post_deliveries_engagement ON post_deliveries (status, engagement_due_at);

-- Tracked links of posts: `<publicUrl>/sp/TOKEN` (signed short tokens, as SMS short links) counts a
-- click and redirects to the post's link `url` (with its UTM parameters).
CREATE TABLE post_links (
  token text PRIMARY KEY,
  workspace_id text NOT NULL,
  post_id text NOT NULL,
  link_index integer NOT NULL,
  url text NOT NULL,
  clicks integer NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  FOREIGN KEY (workspace_id, post_id) REFERENCES posts(workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX post_links_post ON post_links (workspace_id, post_id, link_index);
