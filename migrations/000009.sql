-- Lead scoring (docs/scoring.md): rules per workspace, the decay setting, each contact's current
-- score and the history of every change with its reason. Times are epoch milliseconds.

-- kind 'event': `definition` is { event, where }; kind 'attribute': { condition } (journey conditions
-- over contact.*). Caps: max_per_contact (ever), max_per_period within period_ms.
CREATE TABLE scoring_rules (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('event', 'attribute')),
  definition {{json}} NOT NULL,
  points integer NOT NULL,
  max_per_contact integer,
  max_per_period integer,
  period_ms bigint,
  enabled integer NOT NULL DEFAULT 1,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX scoring_rules_workspace ON scoring_rules (workspace_id, id);

-- Decay per workspace: the score shrinks by decay_percent per full period of inactivity.
CREATE TABLE scoring_settings (
  workspace_id text PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  decay_percent integer NOT NULL DEFAULT 0,
  decay_period_ms bigint NOT NULL,
  updated_at bigint NOT NULL
);

-- The current score, the source of truth; contacts.attributes.lead_score mirrors it in the same
-- transaction (segments, branches and templates read the attribute). decay_periods counts the
-- periods of inactivity since last_activity_at already applied (so decay runs once per period);
-- next_decay_at is when the next one is due (NULL: nothing to decay), for the decay task's claim.
CREATE TABLE lead_scores (
  contact_id text PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
  workspace_id text NOT NULL,
  score integer NOT NULL,
  last_activity_at bigint NOT NULL,
  decay_periods integer NOT NULL DEFAULT 0,
  next_decay_at bigint,
  updated_at bigint NOT NULL
);
CREATE INDEX lead_scores_next_decay ON lead_scores (next_decay_at);

-- Append-only: every change with its reason ('rule' with rule_id, 'decay', 'manual', 'attribute',
-- 'merge'); detail says more (the event id, the periods decayed, a note).
CREATE TABLE score_history (
  id {{serial}},
  workspace_id text NOT NULL,
  contact_id text NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  delta integer NOT NULL,
  score_from integer NOT NULL,
  score_to integer NOT NULL,
  reason text NOT NULL,
  rule_id text,
  detail {{json}},
  at bigint NOT NULL
);
CREATE INDEX score_history_contact ON score_history (contact_id, id);
-- Caps count a rule's past applications per contact (within a period).
CREATE INDEX score_history_rule ON score_history (rule_id, contact_id, at);
