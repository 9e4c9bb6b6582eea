-- The optional writing assistant (src/assistant/, docs/assistant.md): per workspace, an
-- OpenAI-compatible chat-completions endpoint. `settings` is what the API shows (enabled, base URL,
-- model, timeout); `api_key` is sealed with the workspace secret key (src/secrets/) and never
-- returned. A workspace without a row has the assistant off.
CREATE TABLE assistant_settings (
  workspace_id text PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  settings {{json}} NOT NULL,
  api_key text,
  updated_at bigint NOT NULL
);
