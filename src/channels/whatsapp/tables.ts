/**
 * @module Row types of the WhatsApp tables (migrations/000028.sql), for Kysely.
 */

export interface WhatsappWindowsTable {
  workspace_id: string;
  /** E.164. */
  phone: string;
  /** When the number last wrote to the workspace (epoch ms): the 24-hour window runs from it. */
  last_inbound_at: number;
}

export interface WhatsappInboundTable {
  workspace_id: string;
  /** WhatsApp's id of the inbound message: a redelivered webhook finds it and changes nothing. */
  wamid: string;
  provider_id: string;
  from_number: string;
  contact_id: string | null;
  body: string;
  /** What Qatra did: `stop`, `start`, `reply`, `unknown_sender`. */
  action: string;
  created_at: number;
}

export interface WhatsappDailyRecipientsTable {
  workspace_id: string;
  provider_id: string;
  /** UTC days since the epoch. */
  day: number;
  phone: string;
}

export interface WhatsappDailyCountsTable {
  workspace_id: string;
  provider_id: string;
  day: number;
  /** Distinct numbers counted that day: never above the tier's cap. */
  used: number;
}
