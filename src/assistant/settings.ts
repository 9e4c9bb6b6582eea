/**
 * @module A workspace's writing-assistant settings, one row of `assistant_settings`. Off by default
 * (a workspace without a row has the defaults). The API key is write-only: sealed by the SecretBox
 * when stored, shown as `apiKeySet`, opened only for the call to the endpoint (./client.ts).
 *
 * A PUT replaces the settings; `apiKey` omitted keeps the stored key, null removes it. Turning the
 * assistant on needs a base URL and a model. Reaching a private or loopback endpoint (a model server
 * on the same machine) needs both the operator's QATRA_ALLOW_PRIVATE_OUTBOUND=1 and the workspace's
 * `allowPrivateEndpoint`, as for webhooks (src/channels/address-guard.ts).
 */
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { NotFoundError } from '../core/errors.js';
import { fromJson, toJson } from '../core/json.js';
import { parseOrThrow } from '../core/parse.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { Db } from '../store/store.js';

const baseUrl = z
  .string()
  .trim()
  .max(500)
  .refine((u) => {
    try {
      const url = new URL(u);
      return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && !url.search && !url.hash;
    } catch {
      return false;
    }
  }, 'an http(s) URL without credentials, query or fragment, such as http://127.0.0.1:8080/v1 (the endpoint is <baseUrl>/chat/completions)');

export const assistantSettingsSchema = z
  .object({
    enabled: z.boolean().default(false).describe('Off by default: nothing is sent to the endpoint until an admin turns it on'),
    baseUrl: baseUrl.optional().describe('The OpenAI-compatible API root; requests go to <baseUrl>/chat/completions'),
    model: z.string().trim().min(1).max(200).optional().describe('The model name the endpoint expects'),
    timeoutMs: z.number().int().min(1000).max(120_000).default(30_000).describe('Longest wait for one answer'),
    allowPrivateEndpoint: z.boolean().default(false).describe('Allow a private or loopback endpoint (also needs QATRA_ALLOW_PRIVATE_OUTBOUND=1)'),
  })
  .strict();

/** What a PUT takes: the settings plus the write-only key. */
export const assistantSettingsInputSchema = assistantSettingsSchema
  .extend({
    apiKey: z
      .string()
      .min(1)
      .max(4000)
      .regex(/^[^\r\n]*$/, 'an API key is one line')
      .nullable()
      .optional()
      .describe('Omitted: keep the stored key; null: remove it'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.enabled) return;
    if (!s.baseUrl) ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'a base URL is needed to turn the assistant on' });
    if (!s.model) ctx.addIssue({ code: 'custom', path: ['model'], message: 'a model is needed to turn the assistant on' });
  });

/** What the API answers: never the key, only whether one is set. */
export const assistantSettingsAnswerSchema = assistantSettingsSchema.extend({ apiKeySet: z.boolean() });

export type AssistantSettings = z.output<typeof assistantSettingsSchema>;
export type AssistantSettingsAnswer = z.output<typeof assistantSettingsAnswerSchema>;

export const DEFAULT_ASSISTANT_SETTINGS: AssistantSettings = Object.freeze(assistantSettingsSchema.parse({}));

interface Stored {
  settings: AssistantSettings;
  sealedKey: string | null;
}

async function stored(db: Db, workspaceId: string): Promise<Stored> {
  const row = await db.selectFrom('assistant_settings').select(['settings', 'api_key']).where('workspace_id', '=', workspaceId).executeTakeFirst();
  if (!row) return { settings: DEFAULT_ASSISTANT_SETTINGS, sealedKey: null };
  const parsed = assistantSettingsSchema.safeParse(fromJson(row.settings));
  // Settings that no longer parse are treated as off rather than guessed at.
  return { settings: parsed.success ? parsed.data : DEFAULT_ASSISTANT_SETTINGS, sealedKey: row.api_key };
}

export async function getAssistantSettings(db: Db, workspaceId: string): Promise<AssistantSettingsAnswer> {
  const s = await stored(db, workspaceId);
  return { ...s.settings, apiKeySet: s.sealedKey !== null };
}

/** The settings with the opened key, for the call to the endpoint only. */
export async function assistantEndpoint(db: Db, box: SecretBox, workspaceId: string): Promise<AssistantSettings & { apiKey: string | null }> {
  const s = await stored(db, workspaceId);
  return { ...s.settings, apiKey: s.sealedKey === null ? null : box.open(s.sealedKey) };
}

export async function putAssistantSettings(db: Db, box: SecretBox, workspaceId: string, input: unknown, clock: Clock): Promise<AssistantSettingsAnswer> {
  const parsed = parseOrThrow(assistantSettingsInputSchema, input);
  const { apiKey, ...settings } = parsed;
  const workspace = await db.selectFrom('workspaces').select('id').where('id', '=', workspaceId).executeTakeFirst();
  if (!workspace) throw new NotFoundError('workspace', workspaceId);
  const now = clock.now();
  const values = { settings: toJson(settings), updated_at: now, ...(apiKey === undefined ? {} : { api_key: apiKey === null ? null : box.seal(apiKey) }) };
  await db
    .insertInto('assistant_settings')
    .values({ workspace_id: workspaceId, api_key: null, ...values })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values))
    .execute();
  return getAssistantSettings(db, workspaceId);
}
