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
 * The address guard: fetch takes no `lookup`, so the server's name is checked (./guard.ts) before
 * each call rather than inside the socket (docs/security.md says what that leaves open).
 */
import { createRestAPIClient, MastoHttpError, MastoTimeoutError } from 'masto';
import type { Clock } from '../core/clock.js';
import { PrivateAddressError } from '../channels/address-guard.js';
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

function client(serverUrl: string, accessToken: string) {
  return createRestAPIClient({ url: serverUrl, accessToken, timeout: TIMEOUT_MS });
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
export async function verifyMastodon(serverUrl: string, accessToken: string, now: number): Promise<Omit<MastodonSettings, 'serverUrl'>> {
  const api = client(serverUrl, accessToken);
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

export function mastodonDestination(settings: MastodonSettings, accessToken: string, clock: Clock, beforeCall: () => Promise<void>): Destination {
  const api = () => client(settings.serverUrl, accessToken);
  return {
    kind: 'mastodon',
    idempotent: true,
    maxImages: settings.maxMediaAttachments,
    maxCharacters: () => settings.maxCharacters,
    async publish(input) {
      try {
        await beforeCall();
        const rest = api();
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
      } catch (err) {
        if (err instanceof PrivateAddressError) return { status: 'permanent', reason: err.message };
        return classify(err, clock.now());
      }
    },
    async engagement(remoteId): Promise<Engagement | { error: string }> {
      try {
        await beforeCall();
        const s = await api().v1.statuses.$select(remoteId).fetch();
        return { favourites: s.favouritesCount, reblogs: s.reblogsCount, replies: s.repliesCount, views: null };
      } catch (err) {
        return { error: describe(err, clock.now()).reason };
      }
    },
  };
}
