-- Ingestion (docs/ingestion.md, Performance): events.workspace_id loses its foreign key on
-- PostgreSQL. The contact's key already implies the workspace (contacts.workspace_id references
-- workspaces, and deleting a workspace still removes its events through contacts ON DELETE CASCADE),
-- while the check cost a trigger call and a FOR KEY SHARE lock of the one workspace row per inserted
-- event: measured on the bench machine, 4 connections inserting 200-row groups, ~6 us of backend CPU
-- per row (30-37 -> 26-30 us). SQLite cannot drop a constraint without rebuilding the table, and its
-- check is a plain b-tree lookup (~1 us per row), so it keeps the key.
--@postgres
ALTER TABLE events DROP CONSTRAINT IF EXISTS events_workspace_id_fkey
--@end
