/**
 * @module Row types of Telegram's tables (migrations/000027.sql), for Kysely: contacts' chat ids
 * (`channel_handles`, a table any channel without a contact field may use), the deep-link tokens
 * that linked a chat, and the webhook updates already handled.
 */
export interface ChannelHandlesTable {
  workspace_id: string;
  channel: string;
  contact_id: string;
  /** The contact's address on the channel: a Telegram chat id. */
  handle: string;
  provider_id: string;
  created_at: number;
  updated_at: number;
}

export interface TelegramLinkUsesTable {
  workspace_id: string;
  /** The token's signature part: what makes it unique. */
  signature: string;
  contact_id: string;
  chat_id: string;
  used_at: number;
}

export interface TelegramUpdatesTable {
  workspace_id: string;
  provider_id: string;
  update_id: number;
  received_at: number;
}
