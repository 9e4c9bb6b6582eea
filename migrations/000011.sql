-- Measurement (docs/stats.md): indexes the stats queries read; no counters of their own. Every
-- figure is computed from messages, journey_runs, journey_steps and consent_history rows.

-- The per-journey message aggregate (GROUP BY version, node, template, channel, status) reads only
-- this index: every column it aggregates is in the key, so PostgreSQL answers it with an
-- index-only scan instead of reading the wide message rows (links, subject, addresses). Measured:
-- see docs/stats.md. The cost: opens and clicks update indexed columns, so those updates are not
-- HOT on PostgreSQL.
CREATE INDEX messages_stats ON messages (workspace_id, journey_id, journey_version, node_id, template_id, channel, status, created_at, open_count, click_count, first_opened_at, first_clicked_at);
-- Template stats and template attribution.
CREATE INDEX messages_template ON messages (workspace_id, template_id, created_at);
-- Attribution (the messages of a converted run) and A/B variants (the messages of a variant's runs).
CREATE INDEX messages_run ON messages (run_id);
-- Unsubscribes are attributed to the contact's last message sent before them.
CREATE INDEX messages_contact_sent ON messages (contact_id, sent_at);
-- Complaints are noted on the message's reason (src/bounces/apply.ts): few rows, so a partial index.
CREATE INDEX messages_complained ON messages (workspace_id, journey_id) WHERE substr(reason, 1, 11) = 'complained:';
-- The funnel and A/B variants read one journey's steps by node.
CREATE INDEX journey_runs_entered ON journey_runs (workspace_id, journey_id, entered_at);
