/**
 * @module Row types of every table, for Kysely. JSON columns are `unknown` on read (a parsed value on
 * PostgreSQL, text on SQLite: decode with `fromJson`) and JSON text on write (`toJson`).
 */
import type { ColumnType, Generated } from 'kysely';

/** A JSON column: read as whatever the driver gives, written as JSON text. */
export type JsonColumn = ColumnType<unknown, string, string>;
export type NullableJsonColumn = ColumnType<unknown, string | null | undefined, string | null>;

export interface WorkspacesTable {
  id: string;
  name: string;
  timezone: ColumnType<string, string | undefined, string>;
  settings: JsonColumn;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  kind: 'write' | 'admin';
  name: string;
  prefix: string;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ContactsTable {
  id: string;
  workspace_id: string;
  user_id: string | null;
  email: string | null;
  phone: string | null;
  timezone: string | null;
  locale: string | null;
  attributes: JsonColumn;
  created_at: number;
  updated_at: number;
  /** Set when the contact was erased (src/privacy): the row stays, anonymised, for statistics. */
  erased_at: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface ContactAnonymousIdsTable {
  workspace_id: string;
  anonymous_id: string;
  contact_id: string;
  created_at: number;
}

export interface EventsTable {
  id: Generated<number>;
  workspace_id: string;
  contact_id: string;
  type: string;
  name: string;
  properties: JsonColumn;
  context: NullableJsonColumn;
  message_id: string;
  timestamp: number;
  received_at: number;
}

export interface ListsTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  double_opt_in: number;
  created_at: number;
  updated_at: number;
}

export type MembershipStatus = 'subscribed' | 'pending' | 'unsubscribed';

export interface ListMembershipsTable {
  list_id: string;
  contact_id: string;
  workspace_id: string;
  status: MembershipStatus;
  source: string | null;
  created_at: number;
  updated_at: number;
}

export type ConsentStatus = 'subscribed' | 'unsubscribed' | 'pending';

export interface ConsentsTable {
  workspace_id: string;
  contact_id: string;
  channel: string;
  topic: string;
  status: ConsentStatus;
  source: string | null;
  updated_at: number;
}

export interface ConsentHistoryTable {
  id: Generated<number>;
  workspace_id: string;
  contact_id: string;
  channel: string;
  topic: string;
  status: ConsentStatus;
  source: string | null;
  ip: string | null;
  user_agent: string | null;
  text_version: string | null;
  /** What the contact wrote when a reply changed consent (migrations/000017.sql). */
  detail: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: number;
}

export interface MigrationsTable {
  id: number;
  name: string;
  applied_at: number;
}

export interface Database {
  qatra_migrations: MigrationsTable;
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  contacts: ContactsTable;
  contact_anonymous_ids: ContactAnonymousIdsTable;
  events: EventsTable;
  lists: ListsTable;
  list_memberships: ListMembershipsTable;
  consents: ConsentsTable;
  consent_history: ConsentHistoryTable;
  // journeys (definitions)
  journeys: import('../journeys/tables.js').JourneysTable;
  journey_versions: import('../journeys/tables.js').JourneyVersionsTable;
  // templates
  templates: import('../templates/tables.js').TemplatesTable;
  template_versions: import('../templates/tables.js').TemplateVersionsTable;
  // email
  email_providers: import('../channels/email/tables.js').EmailProvidersTable;
  outbox: import('../channels/email/tables.js').OutboxTable;
  messages: import('../messages/tables.js').MessagesTable;
  // channel platform and SMS
  channel_providers: import('../channels/tables.js').ChannelProvidersTable;
  provider_rate: import('../channels/tables.js').ProviderRateTable;
  short_links: import('../channels/tables.js').ShortLinksTable;
  sms_settings: import('../channels/sms/tables.js').SmsSettingsTable;
  sms_inbound: import('../channels/sms/tables.js').SmsInboundTable;
  suppressions: import('../suppression/tables.js').SuppressionsTable;
  unsubscribe_feedback: import('../unsubscribe/tables.js').UnsubscribeFeedbackTable;
  // journeys (runtime)
  journey_runs: import('../journeys/runtime/tables.js').JourneyRunsTable;
  journey_steps: import('../journeys/runtime/tables.js').JourneyStepsTable;
  deliveries: import('../deliveries/tables.js').DeliveriesTable;
  journey_inbox: import('../journeys/runtime/tables.js').JourneyInboxTable;
  journey_date_fires: import('../journeys/runtime/tables.js').JourneyDateFiresTable;
  channel_counting_sends: import('../journeys/runtime/tables.js').ChannelCountingSendsTable;
  // bounces and forms
  email_soft_bounces: import('../bounces/tables.js').EmailSoftBouncesTable;
  email_event_webhooks: import('../bounces/tables.js').EmailEventWebhooksTable;
  forms: import('../forms/tables.js').FormsTable;
  // segments
  segments: import('../segments/tables.js').SegmentsTable;
  segment_members: import('../segments/tables.js').SegmentMembersTable;
  segment_dirty: import('../segments/tables.js').SegmentDirtyTable;
  segment_transitions: import('../segments/tables.js').SegmentTransitionsTable;
  // audit (privacy)
  audit_log: import('../audit/tables.js').AuditLogTable;
  // lead scoring
  scoring_rules: import('../scoring/tables.js').ScoringRulesTable;
  scoring_settings: import('../scoring/tables.js').ScoringSettingsTable;
  lead_scores: import('../scoring/tables.js').LeadScoresTable;
  score_history: import('../scoring/tables.js').ScoreHistoryTable;
  // users and sessions (web app)
  users: import('../users/tables.js').UsersTable;
  workspace_members: import('../users/tables.js').WorkspaceMembersTable;
  user_sessions: import('../users/tables.js').UserSessionsTable;
  user_invites: import('../users/tables.js').UserInvitesTable;
  login_failures: import('../users/tables.js').LoginFailuresTable;
  // stats
  stats_snapshots: import('../stats/tables.js').StatsSnapshotsTable;
  stats_promotions: import('../stats/tables.js').StatsPromotionsTable;
  // broadcasts
  broadcasts: import('../broadcasts/tables.js').BroadcastsTable;
  broadcast_recipients: import('../broadcasts/tables.js').BroadcastRecipientsTable;
  // contact imports (web app)
  contact_imports: import('../contacts/tables.js').ContactImportsTable;
}
