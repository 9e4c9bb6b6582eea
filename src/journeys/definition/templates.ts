/**
 * @module The default `templateExists` for validation: looks the id up in the `templates` table
 * (created by src/templates' migration). Until that table exists there are no templates, so a
 * message that names one is invalid. Raw SQL keeps this module independent of the templates code.
 */
import { sql } from 'kysely';
import type { Store } from '../../store/store.js';
import type { TemplateExists } from './fields.js';

export function templatesInStore(store: Store): TemplateExists {
  let tableExists: Promise<boolean> | null = null;
  return async (workspaceId, templateId) => {
    // Checked once per validation run, not per message: the table appears only by a migration.
    tableExists ??= hasTemplatesTable(store);
    if (!(await tableExists)) return false;
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one FROM templates WHERE workspace_id = ${workspaceId} AND id = ${templateId}`.execute(store.db);
    return rows.length > 0;
  };
}

async function hasTemplatesTable(store: Store): Promise<boolean> {
  const query =
    store.dialect === 'postgres'
      ? sql<{ name: string | null }>`SELECT to_regclass('templates')::text AS name`
      : sql<{ name: string | null }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'templates'`;
  const { rows } = await query.execute(store.db);
  return rows.length > 0 && rows[0]!.name !== null;
}
