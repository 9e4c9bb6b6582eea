-- Users of the web app (docs/web.md): people with an email and a password, members of workspaces
-- with a role, their sessions, one-time setup links, and failed sign-ins for rate limiting.
-- Times are epoch milliseconds.

CREATE TABLE users (
  id text PRIMARY KEY,
  -- Lower-cased; one account per address.
  email text NOT NULL UNIQUE,
  name text NOT NULL,
  -- scrypt$N$r$p$salt$hash (src/users/passwords.ts).
  password_hash text NOT NULL,
  created_at bigint NOT NULL
);

CREATE TABLE workspace_members (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
  created_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_members_user ON workspace_members (user_id);

-- A session is a 256-bit random cookie value; only its SHA-256 is stored (as for API keys).
CREATE TABLE user_sessions (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  -- Sent back by the app in X-CSRF-Token on every state-changing request.
  csrf_token text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);

-- One-time setup links: the first owner's (printed at first start) and invitations.
CREATE TABLE user_invites (
  token_hash text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
  -- Null for the first owner's link: the owner chooses the address.
  email text,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  used_at bigint
);

-- Failed sign-ins by address and by client IP, for the sign-in rate limit.
CREATE TABLE login_failures (
  id {{serial}},
  subject text NOT NULL,
  at bigint NOT NULL
);
CREATE INDEX login_failures_subject ON login_failures (subject, at);
