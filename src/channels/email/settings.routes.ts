/**
 * @module `GET/PUT /api/email/provider`: the workspace's email provider and sending settings.
 * Secrets are write-only: the answer shows `hasPassword` / `hasPrivateKey`, never the values.
 * `POST /api/email/provider/test` sends a test email through them and answers with the provider's
 * own result (./test-send.ts).
 *
 * `postalAddress` is deprecated here: its one home is `PATCH /api/workspace`. A PUT carrying it saves
 * it there (answering `Deprecation: true` and a `Warning`) and no longer stores it with the provider;
 * a PUT without it moves a legacy stored one there when the workspace has none yet.
 */
import { z } from 'zod';
import type { RouteModule } from '../../api/deps.js';
import { requireKey, workspaceOf } from '../../api/auth.js';
import { errorResponses } from '../../api/schemas.js';
import { emailDefaultsOf } from './env.js';
import { emailSettingsSchema, loadEmailSettings, publicSettings, saveEmailSettings, storedEmailSettings } from './settings.js';
import { sendTestEmail } from './test-send.js';
import { getWorkspaceSettings, updateWorkspaceSettings } from '../../templates/workspace-settings.js';
import { privateTargetOf } from '../address-guard.js';
import { SMTP_ALLOWED_BY } from './providers/smtp/connect.js';
import { ValidationError } from '../../core/errors.js';
import { ESP_KINDS } from './providers/esp/kinds.js';
import { espPublicSchema, espSettingsIssue } from './providers/esp/settings.js';

const mailbox = z.object({ address: z.string(), name: z.string().optional() });
const publicSchema = z.object({
  source: z.enum(['workspace', 'default']),
  provider: z.enum(['smtp', 'outbox', ...ESP_KINDS]),
  from: mailbox,
  transactionalFrom: mailbox.optional(),
  replyTo: z.string().optional(),
  postalAddress: z.string().optional(),
  returnPathDomain: z.string().optional(),
  tracking: z.object({ opens: z.boolean(), clicks: z.boolean(), transactional: z.boolean() }),
  topics: z.array(z.object({ id: z.string(), name: z.string(), description: z.string().optional() })).optional(),
  smtp: z
    .object({
      host: z.string(),
      port: z.number(),
      secure: z.boolean(),
      requireTls: z.boolean(),
      user: z.string().optional(),
      hasPassword: z.boolean(),
      maxConnections: z.number(),
      rateLimitPerSecond: z.number().optional(),
      timeoutSeconds: z.number().optional(),
      allowInvalidCertificates: z.boolean(),
    })
    .optional(),
  dkim: z.object({ domain: z.string(), selector: z.string(), hasPrivateKey: z.boolean() }).optional(),
  esp: espPublicSchema.optional(),
});

const testResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('sent'), provider: z.string(), messageId: z.string(), providerMessageId: z.string().nullable(), response: z.string().nullable() }),
  z.object({ status: z.literal('failed'), provider: z.string(), messageId: z.string(), retryable: z.boolean(), error: z.string() }),
]);

export const emailSettingsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['email'];

  app.get(
    '/api/email/provider',
    { onRequest: admin, schema: { tags, summary: "The workspace's email provider and settings (secrets never shown)", response: { 200: publicSchema, ...errorResponses } } },
    async (request) => {
      const stored = await loadEmailSettings(deps.store.db, workspaceOf(request), deps.secretBox);
      return stored ? publicSettings(stored, 'workspace') : publicSettings(emailDefaultsOf(deps.config), 'default');
    },
  );

  app.put(
    '/api/email/provider',
    {
      onRequest: admin,
      schema: {
        tags,
        summary:
          'Set the email provider (smtp, outbox, ses, postmark, sendgrid or mailgun), From addresses, DKIM key and tracking; omitted secrets are kept (postalAddress: deprecated, saved with PATCH /api/workspace)',
        body: emailSettingsSchema.superRefine((v, ctx) => {
          if (v.provider === 'smtp' && !v.smtp) ctx.addIssue({ code: 'custom', path: ['smtp'], message: 'required when provider is smtp' });
          const esp = espSettingsIssue(v);
          if (esp) ctx.addIssue({ code: 'custom', ...esp });
        }),
        response: { 200: publicSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const workspaceId = workspaceOf(request);
      // The address guard (../address-guard.ts) at save time; the provider checks again at connect.
      if (request.body.smtp && !deps.config.allowPrivateOutbound) {
        const refused = await privateTargetOf(request.body.smtp.host, SMTP_ALLOWED_BY);
        if (refused) throw ValidationError.at('body.smtp.host', refused.message);
      }
      if (request.body.esp?.baseUrl && !deps.config.allowPrivateOutbound) {
        const refused = await privateTargetOf(new URL(request.body.esp.baseUrl).hostname.replace(/^\[|\]$/g, ''), SMTP_ALLOWED_BY);
        if (refused) throw ValidationError.at('body.esp.baseUrl', refused.message);
      }
      const { postalAddress, ...body } = request.body;
      const legacy = (await storedEmailSettings(deps.store.db, workspaceId))?.postalAddress;
      const saved = await saveEmailSettings(deps, workspaceId, body);
      if (postalAddress !== undefined) {
        await updateWorkspaceSettings(deps, workspaceId, { postalAddress });
        void reply.header('deprecation', 'true').header('warning', '299 qatra "postalAddress is set with PATCH /api/workspace; it was saved there"');
      } else if (legacy && !(await getWorkspaceSettings(deps.store.db, workspaceId)).postalAddress) {
        await updateWorkspaceSettings(deps, workspaceId, { postalAddress: legacy });
      }
      if (saved.settings.dkim && !saved.secrets.dkimPrivateKey) {
        // Accepted, but say clearly that nothing will be signed until a key is given.
        request.log.warn({ workspaceId }, 'DKIM domain set without a private key: mail is sent unsigned');
      }
      return publicSettings(saved, 'workspace');
    },
  );

  app.post(
    '/api/email/provider/test',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: "Send a test email through the workspace's provider; answers with the message id, or the provider's error text",
        body: z.object({ to: z.string().email().max(320) }).strict(),
        response: { 200: testResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const workspaceId = workspaceOf(request);
      const resolved = (await loadEmailSettings(deps.store.db, workspaceId, deps.secretBox)) ?? emailDefaultsOf(deps.config);
      const result = await sendTestEmail(deps, workspaceId, resolved, request.body.to, deps.config.allowPrivateOutbound);
      request.log.info({ workspaceId, status: result.status, provider: result.provider }, 'test email');
      return result;
    },
  );
};
