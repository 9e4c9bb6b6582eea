/**
 * @module The SMS provider kinds a workspace can configure (`/api/channels/sms/providers`), their
 * settings and secrets schemas, and how a saved provider becomes an SmsProvider (docs/sms.md):
 *
 *  - `outbox`: the dev outbox (./providers/outbox.ts), also what a workspace without providers uses;
 *  - `twilio`: the Twilio-compatible Messages API (./providers/twilio/), secret `authToken`;
 *  - `smpp`: SMPP 3.4 to an SMSC (./providers/smpp/), secret `password`;
 *  - `http`: a generic HTTP aggregator (./providers/http/), secret `authorization` (sent as the
 *    Authorization header, so a key need not sit in the shown settings).
 *
 * Every kind also takes `from` (the default sender), `messagesPerSecond` (a limit all workers share,
 * ../rate-limit.ts) and `costPerSegment` (what one segment costs, for statistics).
 */
import { z, type ZodType } from 'zod';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/store.js';
import type { SmsProvider, SmsProviderEvents } from './provider.js';
import type { SmsProviderRecord } from './providers/pool.js';
import { createSmsOutbox } from './providers/outbox.js';
import { createTwilioProvider } from './providers/twilio/index.js';
import { createHttpProvider, httpProviderSettingsSchema } from './providers/http/index.js';
import { createSmppProvider } from './providers/smpp/index.js';
import { nonEmptyString } from '../request-config.js';

const common = {
  from: z.string().trim().min(1).max(20).optional().describe('The sender when the SMS settings name none: a number or an alphanumeric id'),
  messagesPerSecond: z.number().positive().max(10_000).optional().describe('At most this many messages a second, shared by every worker'),
  costPerSegment: z.number().min(0).max(100).optional().describe('What one segment costs, in the workspace currency'),
};

const none = z.object({}).strict();

/** In the shape of ../providers/kinds.ts `ProviderKind` (which lists these): settings and secrets schemas. */
export const smsProviderKinds: Readonly<Record<string, { settings: ZodType; secrets: ZodType }>> = {
  outbox: { settings: z.object(common).strict(), secrets: none },
  twilio: {
    settings: z
      .object({
        ...common,
        accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'an account SID: AC and 32 hex digits'),
        messagingServiceSid: z
          .string()
          .regex(/^MG[0-9a-fA-F]{32}$/, 'a messaging service SID: MG and 32 hex digits')
          .optional(),
        baseUrl: z
          .url({ protocol: /^https?$/ })
          .max(500)
          .optional()
          .describe('A Twilio-compatible API (default https://api.twilio.com)'),
      })
      .strict(),
    secrets: z.object({ authToken: z.string().min(1).max(200) }).strict(),
  },
  smpp: {
    settings: z
      .object({
        ...common,
        host: z.string().min(1).max(255),
        port: z.number().int().min(1).max(65_535).default(2775),
        systemId: z.string().min(1).max(15),
        systemType: z.string().max(12).optional(),
        windowSize: z.number().int().min(1).max(100).optional(),
        enquireLinkMs: z.number().int().min(1_000).max(600_000).optional(),
      })
      .strict(),
    secrets: z.object({ password: z.string().max(8).optional() }).strict(),
  },
  http: {
    settings: httpProviderSettingsSchema.extend(common).strict(),
    secrets: z.object({ authorization: z.string().min(1).max(4000).optional() }).strict(),
  },
};

export interface SmsProviderBuildDeps {
  store: Store;
  clock: Clock;
  log?: Logger | undefined;
  /** Providers may connect to private addresses (config.allowPrivateOutbound). */
  allowPrivateOutbound?: boolean | undefined;
  /** Where SMPP receipts and replies go, with the provider they came from. */
  events(workspaceId: string, providerId: string): SmsProviderEvents;
}

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

/** The SmsProvider of a saved provider (its settings and secrets were validated when saved). */
export function buildSmsProvider(deps: SmsProviderBuildDeps, record: SmsProviderRecord, workspaceId: string): SmsProvider {
  const { settings: s, secrets } = record;
  switch (record.kind) {
    case 'outbox':
      return createSmsOutbox(deps, workspaceId);
    case 'twilio':
      return createTwilioProvider({
        accountSid: String(s.accountSid),
        authToken: nonEmptyString(secrets.authToken) ?? '',
        baseUrl: nonEmptyString(s.baseUrl),
        messagingServiceSid: nonEmptyString(s.messagingServiceSid),
        from: nonEmptyString(s.from),
        allowPrivateOutbound: deps.allowPrivateOutbound,
        log: deps.log,
        clock: deps.clock,
      });
    case 'smpp':
      return createSmppProvider(
        {
          host: String(s.host),
          port: int(s.port) ?? 2775,
          systemId: String(s.systemId),
          password: nonEmptyString(secrets.password) ?? '',
          systemType: nonEmptyString(s.systemType),
          windowSize: int(s.windowSize),
          enquireLinkMs: int(s.enquireLinkMs),
          log: deps.log,
          clock: deps.clock,
        },
        deps.events(workspaceId, record.id),
      );
    case 'http': {
      const { from: _from, messagesPerSecond: _mps, costPerSegment: _cost, ...http } = s;
      const auth = nonEmptyString(secrets.authorization);
      const headers = { ...((http.headers as Record<string, string> | undefined) ?? {}), ...(auth ? { Authorization: auth } : {}) };
      return createHttpProvider({ settings: { ...http, headers }, allowPrivateOutbound: deps.allowPrivateOutbound, log: deps.log, clock: deps.clock });
    }
    default:
      throw new Error(`unknown SMS provider kind ${record.kind}`);
  }
}
