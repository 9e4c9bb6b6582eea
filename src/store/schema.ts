/**
 * @module The database as Kysely sees it: every table's row type, each defined in its domain's
 * `tables.ts` (column types in ./columns.ts). This file only aggregates.
 */

export interface Database {
  qatra_migrations: import('./tables.js').MigrationsTable;
  workspaces: import('../workspaces/tables.js').WorkspacesTable;
  api_keys: import('../keys/tables.js').ApiKeysTable;
  contacts: import('../contacts/tables.js').ContactsTable;
  contact_anonymous_ids: import('../contacts/tables.js').ContactAnonymousIdsTable;
  events: import('../events/tables.js').EventsTable;
  lists: import('../lists/tables.js').ListsTable;
  list_memberships: import('../lists/tables.js').ListMembershipsTable;
  consents: import('../consent/tables.js').ConsentsTable;
  consent_history: import('../consent/tables.js').ConsentHistoryTable;
  // journeys (definitions)
  journeys: import('../journeys/tables.js').JourneysTable;
  journey_versions: import('../journeys/tables.js').JourneyVersionsTable;
  // templates
  templates: import('../templates/tables.js').TemplatesTable;
  template_versions: import('../templates/tables.js').TemplateVersionsTable;
  // email
  email_providers: import('../channels/email/tables.js').EmailProvidersTable;
  outbox: import('../channels/email/tables.js').OutboxTable;
  email_provider_list: import('../channels/email/routing/tables.js').EmailProviderListTable;
  email_routing: import('../channels/email/routing/tables.js').EmailRoutingTable;
  email_circuits: import('../channels/circuits.js').EmailCircuitsTable;
  email_send_counters: import('../channels/email/routing/tables.js').EmailSendCountersTable;
  email_domain_backoff: import('../channels/email/routing/tables.js').EmailDomainBackoffTable;
  email_send_slots: import('../channels/email/routing/tables.js').EmailSendSlotsTable;
  messages: import('../messages/tables.js').MessagesTable;
  // channel platform and SMS
  channel_providers: import('../channels/tables.js').ChannelProvidersTable;
  provider_rate: import('../channels/tables.js').ProviderRateTable;
  short_links: import('../channels/tables.js').ShortLinksTable;
  sms_settings: import('../channels/sms/tables.js').SmsSettingsTable;
  sms_inbound: import('../channels/sms/tables.js').SmsInboundTable;
  whatsapp_windows: import('../channels/whatsapp/tables.js').WhatsappWindowsTable;
  whatsapp_inbound: import('../channels/whatsapp/tables.js').WhatsappInboundTable;
  whatsapp_daily_recipients: import('../channels/whatsapp/tables.js').WhatsappDailyRecipientsTable;
  whatsapp_daily_counts: import('../channels/whatsapp/tables.js').WhatsappDailyCountsTable;
  mail_batches: import('../channels/mail/tables.js').MailBatchesTable;
  mail_pieces: import('../channels/mail/tables.js').MailPiecesTable;
  channel_handles: import('../channels/telegram/tables.js').ChannelHandlesTable;
  telegram_link_uses: import('../channels/telegram/tables.js').TelegramLinkUsesTable;
  telegram_updates: import('../channels/telegram/tables.js').TelegramUpdatesTable;
  // writing assistant
  assistant_settings: import('../assistant/tables.js').AssistantSettingsTable;
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
  email_webhook_nonces: import('../channels/email/providers/esp/tables.js').EmailWebhookNoncesTable;
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
  // insights
  insight_anomalies: import('../insights/tables.js').InsightAnomaliesTable;
  insight_settings: import('../insights/tables.js').InsightSettingsTable;
  // insights (predictions)
  insight_models: import('../insights/model-tables.js').InsightModelsTable;
  contact_predictions: import('../insights/model-tables.js').ContactPredictionsTable;
  // retention (hourly counts of deleted raw events: migrations/000036.sql)
  event_rollups: import('../retention/tables.js').EventRollupsTable;
  // deliverability (reputation breaker, sunset policy: migrations/000032.sql)
  deliverability_settings: import('../deliverability/tables.js').DeliverabilitySettingsTable;
  reputation_trips: import('../deliverability/tables.js').ReputationTripsTable;
  sunset_notices: import('../deliverability/tables.js').SunsetNoticesTable;
  // post series (brand accounts)
  post_accounts: import('../posts/tables.js').PostAccountsTable;
  post_series: import('../posts/tables.js').PostSeriesTable;
  posts: import('../posts/tables.js').PostsTable;
  post_images: import('../posts/tables.js').PostImagesTable;
  post_deliveries: import('../posts/tables.js').PostDeliveriesTable;
  post_links: import('../posts/tables.js').PostLinksTable;
}
