/**
 * @module Mastodon (and compatible servers) through masto.js: `GET /api/v1/accounts/verify_credentials`
 * and `GET /api/v2/instance` when an account is connected (the status character limit and media
 * count come from the server), `POST /api/v2/media` then `POST /api/v1/statuses` with an
 * `Idempotency-Key` to publish, `GET /api/v1/statuses/:id` for favourites, boosts and replies.
 *
 * Answers: 401/403 (token refused or revoked), 404 and 422 (e.g. "Validation failed: Text character
 * limit of 500 exceeded") are permanent with the server's words; 429 is retried after
 * `X-RateLimit-Reset`; 5xx, timeouts and connection errors are retried with backoff.
 *
 * The address guard is inside the socket: each client's requests go through an undici Agent whose
 * connector resolves the server's name with the guard's checked lookup
 * (../channels/outbound-fetch.ts), passed to masto as fetch's `dispatcher`; the Agent is closed when
 * the call is done. A refused address is a permanent failure (retrying will not make it public).
 */
import { createRestAPIClient, MastoHttpError, MastoTimeoutError } from 'masto';
import type { Clock } from '../core/clock.js';
import { guardedDispatcher, privateRefusalOf } from '../channels/outbound-fetch.js';
import { untilReset, type Destination, type Engagement, type PublishResult } from './destination.js';

export interface MastodonSettings {
  serverUrl: string;
  /** From the server when verified. */
  maxCharacters: number;
  maxMediaAttachments: number;
  username: string;
  accountUrl: string | null;
}

const TIMEOUT_MS = 15_000;

type MastoClient = ReturnType<typeof createRestAPIClient>;

/** Runs `call` with a client whose connections pass the address guard, then closes them. */
async function withClient<T>(serverUrl: string, accessToken: string, allowPrivate: boolean, call: (api: MastoClient) => Promise<T>): Promise<T> {
  const dispatcher = guardedDispatcher({ allowPrivate });
  try {
    // `dispatcher` is Node's (undici's) own RequestInit field, which the DOM type does not name.
    const requestInit = { dispatcher } as unknown as RequestInit;
    return await call(createRestAPIClient({ url: serverUrl, accessToken, timeout: TIMEOUT_MS, requestInit }));
  } finally {
    await dispatcher.close().catch(() => {});
  }
}

/** The words of a Mastodon error, its HTTP status and (for 429) when to come back. */
function describe(err: unknown, now: number): { status: number | null; reason: string; retryAfterMs?: number } {
  if (err instanceof MastoHttpError) {
    const cause = (err as { cause?: unknown }).cause;
    const headers = cause instanceof Response ? cause.headers : null;
    const after = err.statusCode === 429 ? untilReset(headers?.get('x-ratelimit-reset'), now) : undefined;
    const reason = `HTTP ${err.statusCode}: ${err.message || err.description || 'error'}`.slice(0, 500);
    return after === undefined ? { status: err.statusCode, reason } : { status: err.statusCode, reason, retryAfterMs: after };
  }
  if (err instanceof MastoTimeoutError) return { status: null, reason: `timeout after ${TIMEOUT_MS} ms` };
  const refused = privateRefusalOf(err);
  if (refused) return { status: null, reason: refused.message };
  const e = err as Error & { cause?: { code?: string } };
  return { status: null, reason: `connection failed: ${e.cause?.code ?? e.message}`.slice(0, 500) };
}

function classify(err: unknown, now: number): PublishResult {
  const d = describe(err, now);
  if (d.status === null || d.status === 408 || d.status === 429 || d.status >= 500) {
    return d.retryAfterMs === undefined ? { status: 'retryable', reason: d.reason } : { status: 'retryable', reason: d.reason, retryAfterMs: d.retryAfterMs };
  }
  return { status: 'permanent', reason: d.reason };
}

/** Checks the token and reads the server's limits; throws `{ field, message }` when refused. */
export function verifyMastodon(serverUrl: string, accessToken: string, now: number, allowPrivate: boolean): Promise<Omit<MastodonSettings, 'serverUrl'>> {
  return withClient(serverUrl, accessToken, allowPrivate, (api) => verifyWith(api, now));
}

async function verifyWith(api: MastoClient, now: number): Promise<Omit<MastodonSettings, 'serverUrl'>> {
  let account;
  try {
    account = await api.v1.accounts.verifyCredentials();
  } catch (err) {
    const d = describe(err, now);
    throw new MastodonVerifyError(
      d.status === 401 || d.status === 403 ? 'secrets.accessToken' : 'settings.serverUrl',
      d.status === 401 || d.status === 403 ? `the server refused the token (${d.reason})` : `could not verify the account: ${d.reason}`,
    );
  }
  let maxCharacters = 500;
  let maxMediaAttachments = 4;
  try {
    const instance = await api.v2.instance.fetch();
    maxCharacters = instance.configuration?.statuses?.maxCharacters ?? maxCharacters;
    maxMediaAttachments = instance.configuration?.statuses?.maxMediaAttachments ?? maxMediaAttachments;
  } catch (err) {
    throw new MastodonVerifyError('settings.serverUrl', `could not read the server's limits (GET /api/v2/instance): ${describe(err, now).reason}`);
  }
  return { maxCharacters, maxMediaAttachments, username: account.acct, accountUrl: account.url ?? null };
}

export class MastodonVerifyError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export function mastodonDestination(settings: MastodonSettings, accessToken: string, clock: Clock, allowPrivate: boolean): Destination {
  const withApi = <T>(call: (api: MastoClient) => Promise<T>) => withClient(settings.serverUrl, accessToken, allowPrivate, call);
  return {
    kind: 'mastodon',
    idempotent: true,
    maxImages: settings.maxMediaAttachments,
    maxCharacters: () => settings.maxCharacters,
    async publish(input) {
      try {
        return await withApi(async (rest): Promise<PublishResult> => {
          const mediaIds: string[] = [];
          // A repeated attempt uploads its images again; only the status is idempotent, and media not
          // attached to a status are removed by the server.
          for (const image of input.images) {
            const media = await rest.v2.media.create({ file: new Blob([new Uint8Array(image.data)], { type: image.contentType }) });
            mediaIds.push(media.id);
          }
          const status = await rest.v1.statuses.create(
            { status: input.text, visibility: 'public', ...(mediaIds.length > 0 ? { mediaIds } : {}) },
            { requestInit: { headers: { 'Idempotency-Key': input.idempotencyKey } } },
          );
          return { status: 'published', remoteId: status.id, remoteUrl: status.url ?? null };
        });
      } catch (err) {
        const refused = privateRefusalOf(err);
        if (refused) return { status: 'permanent', reason: refused.message };
        return classify(err, clock.now());
      }
    },
    async engagement(remoteId): Promise<Engagement | { error: string }> {
      try {
        const s = await withApi((api) => api.v1.statuses.$select(remoteId).fetch());
        return { favourites: s.favouritesCount, reblogs: s.reblogsCount, replies: s.repliesCount, views: null };
      } catch (err) {
        return { error: describe(err, clock.now()).reason };
      }
    },
  };
}
