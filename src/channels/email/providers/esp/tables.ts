/**
 * @module Row type of the ESP webhooks' replay table (migrations/000031.sql), for Kysely.
 */

export interface EmailWebhookNoncesTable {
  workspace_id: string;
  /** The provider kind (`mailgun`, `sendgrid`, `ses`). */
  provider: string;
  /** What the request presented once: a Mailgun token, a SendGrid signature, an SNS MessageId. */
  nonce: string;
  seen_at: number;
}
