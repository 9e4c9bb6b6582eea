/**
 * @module Row type of the hosted signup forms table (migrations/000007.sql), for Kysely.
 */
import type { JsonColumn } from '../store/columns.js';

export interface FormsTable {
  id: string;
  workspace_id: string;
  list_id: string;
  name: string;
  title: string;
  /** JSON array of FormField. */
  fields: JsonColumn;
  consent_text: string | null;
  consent_text_version: string | null;
  thank_you_text: string | null;
  redirect_url: string | null;
  confirmation_template_id: string | null;
  lang: string | null;
  created_at: number;
  updated_at: number;
}
