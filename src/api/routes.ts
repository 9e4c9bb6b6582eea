/**
 * @module Every domain's routes, in one list. A new domain adds one line here.
 */
import type { RouteModule } from './deps.js';
import { systemRoutes } from './system.routes.js';
import { contactsRoutes } from '../contacts/contacts.routes.js';
import { listsRoutes } from '../lists/lists.routes.js';
import { membershipsRoutes } from '../lists/memberships.routes.js';
import { consentRoutes } from '../consent/consent.routes.js';
import { keysRoutes } from '../keys/keys.routes.js';
import { ingestRoutes } from '../events/ingest.routes.js';
import { journeysRoutes } from '../journeys/journeys.routes.js';
import { templateRoutes } from '../templates/routes.js';
import { runsRoutes } from '../journeys/runs.routes.js';
import { emailSettingsRoutes } from '../channels/email/settings.routes.js';
import { emailProvidersRoutes } from '../channels/email/routing/routes.js';
import { outboxRoutes } from '../channels/email/providers/outbox/outbox.routes.js';
import { messagesRoutes } from '../messages/messages.routes.js';
import { trackingRoutes } from '../tracking/tracking.routes.js';
import { unsubscribeRoutes } from '../unsubscribe/unsubscribe.routes.js';
import { suppressionsRoutes } from '../suppression/suppressions.routes.js';
import { emailEventsRoutes } from '../bounces/webhook.routes.js';
import { formsRoutes } from '../forms/forms.routes.js';
import { segmentsRoutes } from '../segments/segments.routes.js';
import { privacyRoutes } from '../privacy/privacy.routes.js';
import { auditRoutes } from '../audit/audit.routes.js';
import { scoringRoutes } from '../scoring/scoring.routes.js';
import { authRoutes } from '../users/auth.routes.js';
import { usersRoutes } from '../users/users.routes.js';
import { webAppRoutes } from '../web/web.routes.js';
import { statsRoutes } from '../stats/stats.routes.js';
import { broadcastsRoutes } from '../broadcasts/broadcasts.routes.js';
import { simulateRoutes } from '../journeys/simulate/simulate.routes.js';
import { timelineRoutes } from '../contacts/timeline.routes.js';
import { contactImportsRoutes } from '../contacts/imports.routes.js';
import { topicsRoutes } from '../channels/email/topics.routes.js';
import { messagingDefaultsRoutes } from '../workspaces/messaging.routes.js';
import { channelProvidersRoutes } from '../channels/providers/routes.js';
import { smsHookRoutes } from '../channels/sms/hooks.routes.js';
import { whatsappHookRoutes } from '../channels/whatsapp/hooks.routes.js';
import { smsSettingsRoutes } from '../channels/sms/settings.routes.js';
import { telegramRoutes } from '../channels/telegram/routes.js';
import { trackingSettingsRoutes } from '../workspaces/tracking.routes.js';
import { snippetRoutes } from '../browser/snippet.routes.js';
import { mailRoutes } from '../channels/mail/routes.js';
import { insightsRoutes } from '../insights/insights.routes.js';
import { correlationsRoutes } from '../insights/correlations.routes.js';
import { predictRoutes } from '../insights/predict.routes.js';
import { assistantRoutes } from '../assistant/routes.js';
import { espHookRoutes } from '../channels/email/providers/esp/routes.js';
import { deliverabilityRoutes } from '../deliverability/routes.js';
import { retentionRoutes } from '../retention/retention.routes.js';
import { postsRoutes } from '../posts/routes.js';
import { galleryRoutes } from '../journeys/gallery/gallery.routes.js';
import { setupRoutes } from '../setup/routes.js';
import { workspacesRoutes } from '../workspaces/workspaces.routes.js';

export const routeModules: RouteModule[] = [
  systemRoutes,
  contactsRoutes,
  listsRoutes,
  membershipsRoutes,
  consentRoutes,
  keysRoutes,
  ingestRoutes,
  journeysRoutes,
  templateRoutes,
  runsRoutes,
  emailSettingsRoutes,
  emailProvidersRoutes,
  outboxRoutes,
  messagesRoutes,
  trackingRoutes,
  unsubscribeRoutes,
  suppressionsRoutes,
  emailEventsRoutes,
  segmentsRoutes,
  formsRoutes,
  privacyRoutes,
  auditRoutes,
  scoringRoutes,
  authRoutes,
  usersRoutes,
  statsRoutes,
  broadcastsRoutes,
  simulateRoutes,
  timelineRoutes,
  contactImportsRoutes,
  topicsRoutes,
  messagingDefaultsRoutes,
  channelProvidersRoutes,
  smsHookRoutes,
  whatsappHookRoutes,
  smsSettingsRoutes,
  telegramRoutes,
  trackingSettingsRoutes,
  snippetRoutes(),
  mailRoutes,
  insightsRoutes,
  correlationsRoutes,
  predictRoutes,
  assistantRoutes,
  espHookRoutes(),
  deliverabilityRoutes,
  retentionRoutes,
  postsRoutes,
  galleryRoutes,
  setupRoutes,
  workspacesRoutes,
  webAppRoutes(),
];
