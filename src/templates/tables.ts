/**
 * @module Row types of the templates tables (migrations/000004.sql), for Kysely.
 */
import type { JsonColumn } from '../store/columns.js';

/** A template channel: one of src/channels/descriptors.ts `templateChannels` (email, sms). */
export type TemplateChannel = string;
export type TemplateKind = 'marketing' | 'transactional' | 'layout' | 'partial';

export interface TemplatesTable {
  workspace_id: string;
  id: string;
  name: string;
  channel: TemplateChannel;
  kind: TemplateKind;
  current_version: number;
  archived_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface TemplateVersionsTable {
  workspace_id: string;
  template_id: string;
  version: number;
  content: JsonColumn;
  compiled: JsonColumn;
  warnings: JsonColumn;
  content_hash: string;
  layout_id: string | null;
  layout_version: number | null;
  created_at: number;
}
