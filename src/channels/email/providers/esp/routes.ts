/**
 * @module The ESPs' event webhooks, public (no API key; each ESP's own signature or credentials are
 * the authentication): `POST /hooks/email/{ses,postmark,sendgrid,mailgun}/:workspaceId`, the URL
 * given to the ESP (docs/email.md "ESP providers and their webhooks", docs/security.md).
 *
 * Each request: the workspace's email settings must be of that ESP (else 403); the kind's `verify`
 * (../{ses,postmark,sendgrid,mailgun}/webhook.ts) checks the raw body's signature (or Postmark's
 * credentials) and throws ForbiddenError (403, nothing changed) otherwise; then, in ONE transaction,
 * the request's nonce is claimed (a replay is 403, nothing changed) and its events are applied
 * (./events.ts). Bodies are read as text by this scope's own parser (any content type: SNS posts
 * `text/plain`), at most 1 MB, because the signatures are over the bytes as sent.
 *
 * Register with `espHookRoutes()` in src/api/routes.ts; tests pass their own SNS trust (./ses/sns.ts).
 */
import type { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import type { RouteModule } from '../../../../api/deps.js';
import { illFormedPath, jsonShape, MAX_JSON_ARRAY_ITEMS, MAX_JSON_DEPTH } from '../../../../api/json-body.js';
import { ForbiddenError, ValidationError } from '../../../../core/errors.js';
import { feedbackDepsOf } from '../../../../bounces/deps.js';
import { loadEmailSettings } from '../../settings.js';
import { loadProviderList } from '../../routing/list.js';
import type { AppDeps } from '../../../../core/app-deps.js';
import { mailgunWebhook } from '../mailgun/webhook.js';
import { postmarkWebhook } from '../postmark/webhook.js';
import { sendgridWebhook } from '../sendgrid/webhook.js';
import { awsSnsTrust, type SnsTrust } from '../ses/sns.js';
import { sesWebhook } from '../ses/webhook.js';
import { applyEspEvents } from './events.js';
import type { EspWebhook } from './hook.js';
import { ESP_KINDS, type EspKind } from './kinds.js';
import type { EspSettingsOf } from './message.js';
import { claimNonce } from './replay.js';

export const ESP_HOOK_BODY_LIMIT = 1024 * 1024;

export interface EspHookOptions {
  /** Which SNS certificate and SubscribeURL hosts to trust, and how to fetch them (default: AWS's). */
  snsTrust?: SnsTrust | undefined;
}

const params = z.object({ kind: z.enum(ESP_KINDS), workspaceId: z.string().min(1).max(100) });
const answer = z.object({ applied: z.number(), duplicate: z.number(), ignored: z.number(), unmatched: z.number() });

/** Parses a verified body: JSON within the app's bounds (depth, array length, well-formed strings), else 400. */
export function parseJsonBody(text: string): unknown {
  const shape = jsonShape(text);
  if (shape.depth > MAX_JSON_DEPTH) throw ValidationError.at('body', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (shape.longestArray > MAX_JSON_ARRAY_ITEMS) throw ValidationError.at('body', `an array longer than ${MAX_JSON_ARRAY_ITEMS} items`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw ValidationError.at('body', 'must be JSON');
  }
  const bad = illFormedPath(value);
  if (bad) throw ValidationError.at(bad, 'must be well-formed UTF-16 (a lone surrogate)');
  return value;
}

export function espHookRoutes(options: EspHookOptions = {}): RouteModule {
  return (app, deps) => {
    const certificates = new Map<string, X509Certificate>();
    const webhooks: { [K in EspKind]: EspWebhook<K> } = {
      ses: sesWebhook({ trust: options.snsTrust ?? awsSnsTrust, certificates }),
      postmark: postmarkWebhook,
      sendgrid: sendgridWebhook,
      mailgun: mailgunWebhook,
    };
    const feedbackDeps = feedbackDepsOf(deps);

    void app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: ESP_HOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));

      scope.post<{ Params: z.infer<typeof params> }>(
        '/hooks/email/:kind/:workspaceId',
        { bodyLimit: ESP_HOOK_BODY_LIMIT, schema: { hide: true, params, response: { 200: answer } } },
        async (request) => {
          const { kind, workspaceId } = request.params;
          const found = await espOf(deps, workspaceId, kind);
          if (!found) throw new ForbiddenError(`no ${kind} provider is set up for this workspace`);
          const webhook = webhooks[kind] as EspWebhook<EspKind>;
          const now = deps.clock.now();
          const rawBody = typeof request.body === 'string' ? request.body : '';
          const verdict = await webhook.verify({ rawBody, headers: request.headers, ip: request.ip, json: () => parseJsonBody(rawBody) }, { ...found, now });
          return deps.store.transaction(async (trx) => {
            if (verdict.nonce !== undefined && !(await claimNonce(trx, workspaceId, kind, verdict.nonce, now))) throw new ForbiddenError('this webhook request was already received (replay)');
            return applyEspEvents(feedbackDeps, trx, workspaceId, kind, verdict.events);
          });
        },
      );
    });
  };
}

/**
 * The workspace's provider of this kind: its single-provider settings (`PUT /api/email/provider`,
 * also the provider list's `primary`), else the first of that kind in its provider list
 * (../../routing/list.ts). Two providers of one kind share the webhook URL; the first one's keys verify it.
 */
async function espOf(deps: AppDeps, workspaceId: string, kind: EspKind): Promise<{ esp: EspSettingsOf<EspKind>; secrets: Record<string, string> } | null> {
  const resolved = await loadEmailSettings(deps.store.db, workspaceId, deps.secretBox);
  const esp = resolved?.settings.esp;
  if (resolved && esp && esp.kind === kind) return { esp: esp as EspSettingsOf<EspKind>, secrets: resolved.secrets.esp ?? {} };
  const listed = (await loadProviderList(deps.store.db, deps.secretBox, workspaceId)).providers.find((p) => p.kind === kind);
  const settings = listed?.settings.esp as EspSettingsOf<EspKind> | undefined;
  return listed && settings ? { esp: settings, secrets: listed.secrets } : null;
}
