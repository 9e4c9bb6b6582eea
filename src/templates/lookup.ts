/**
 * @module The one question other domains ask about templates (the journey validator: "does the
 * message node point at a template that exists?"). Archived templates do not count.
 */
import type { Db } from '../store/store.js';

export async function templateExists(db: Db, workspaceId: string, templateId: string): Promise<boolean> {
  const row = await db.selectFrom('templates').select('id').where('workspace_id', '=', workspaceId).where('id', '=', templateId).where('archived_at', 'is', null).executeTakeFirst();
  return row !== undefined;
}
