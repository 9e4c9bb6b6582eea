/**
 * @module Post series: create, replace, read, list and delete. Saving checks everything before
 * anything is written (one transaction): the accounts and images exist, each post's Liquid renders,
 * and on every account of the series the post fits (a text longer than the server's limit is
 * refused with its field path, e.g. `posts.2.text`). Then each post gets its due time (./schedule.ts),
 * its tracked links (./links.ts) and one pending delivery per account, keyed for idempotency
 * (`post:<postId>:<accountId>`), which the publisher (./publish.ts) claims when due.
 *
 * Replacing a series keeps the posts already started (any delivery attempted): they must come back
 * unchanged at the same position (else 409 naming the post); the others are replaced.
 */
import { newId } from '../core/ids.js';
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from '../core/errors.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import { parseOrThrow } from '../core/parse.js';
import type { Db } from '../store/store.js';
import { workspaceSecret } from '../tracking/tokens.js';
import type { PostsDeps } from './deps.js';
import type { PostAccountKind } from './tables.js';
import { seriesInput, type SeriesInput } from './series-input.js';
import { instantOf, localLabel, occurrences } from './schedule.js';
import { linksOf, PostTextError, renderText, withTrackedLinks, withUtm } from './render.js';
import { limitsOf } from './limits.js';
import { missingImages } from './images.js';
import { saveLinks, trackedUrl } from './links.js';

interface PlannedPost {
  position: number;
  text: string;
  images: string[];
  dueAt: number;
  targets: string[];
}

interface AccountRow {
  id: string;
  kind: PostAccountKind;
  name: string;
  settings: JsonObject;
}

const KIND_LABEL: Record<PostAccountKind, string> = { mastodon: 'Mastodon', telegram_channel: 'Telegram', webhook: 'webhook' };

export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize('NFKC')
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'series'
  );
}

/** Checks a series as sent and works out its posts; throws ValidationError naming every bad field. */
async function plan(deps: PostsDeps, workspaceId: string, input: SeriesInput): Promise<{ posts: PlannedPost[]; accounts: AccountRow[] }> {
  const issues: FieldIssue[] = [];
  const accountRows = await deps.store.db.selectFrom('post_accounts').select(['id', 'kind', 'name', 'settings']).where('workspace_id', '=', workspaceId).where('id', 'in', input.accountIds).execute();
  const accounts = accountRows.map((a) => ({ ...a, settings: fromJson<JsonObject>(a.settings) }));
  input.accountIds.forEach((id, i) => {
    if (!accounts.some((a) => a.id === id)) issues.push({ path: `body.accountIds.${i}`, message: `no post account ${id} in this workspace` });
    else if (input.accountIds.indexOf(id) !== i) issues.push({ path: `body.accountIds.${i}`, message: 'named twice' });
  });
  let due: number[];
  if (input.recurrence) {
    due = occurrences(input.recurrence, input.timezone);
    input.posts.forEach((p, i) => {
      if (p.at !== undefined) issues.push({ path: `body.posts.${i}.at`, message: 'a post of a recurring series takes the next occurrence; give no date' });
    });
    if (input.posts.length > due.length) issues.push({ path: `body.posts.${due.length}`, message: `the recurrence has ${due.length} occurrence(s); this post has none` });
  } else {
    due = input.posts.map((p, i) => {
      if (p.at === undefined) {
        issues.push({ path: `body.posts.${i}.at`, message: 'required without a recurrence' });
        return 0;
      }
      return instantOf(p.at, input.timezone);
    });
  }
  const allImages = [...new Set(input.posts.flatMap((p) => p.images))];
  const missing = new Set(await missingImages(deps, workspaceId, allImages));
  const ws = await deps.store.db.selectFrom('workspaces').select('name').where('id', '=', workspaceId).executeTakeFirstOrThrow();
  const utm = { source: input.utm.source ?? 'qatra', medium: input.utm.medium ?? 'social', campaign: input.utm.campaign ?? slug(input.name) };
  const sampleLink = trackedUrl(deps.config.publicUrl, 'x'.repeat(11));
  const posts: PlannedPost[] = [];
  for (const [i, p] of input.posts.entries()) {
    p.images.forEach((id, j) => {
      if (missing.has(id)) issues.push({ path: `body.posts.${i}.images.${j}`, message: `no image ${id} in this workspace` });
    });
    const dueAt = due[i] ?? 0;
    let text: string;
    try {
      text = await renderText(p.text, { workspace: { name: ws.name }, series: { name: input.name }, post: { number: i + 1, total: input.posts.length, date: localLabel(dueAt, input.timezone) } });
    } catch (err) {
      if (!(err instanceof PostTextError)) throw err;
      issues.push({ path: `body.posts.${i}.text`, message: err.message });
      continue;
    }
    if (text === '' && p.images.length === 0) issues.push({ path: `body.posts.${i}.text`, message: 'a post needs a text or an image' });
    const links = linksOf(text);
    const sent = withTrackedLinks(
      text,
      links,
      links.map(() => sampleLink),
    );
    for (const a of accounts) {
      const limits = limitsOf(a.kind, a.settings);
      const max = limits.maxCharacters(p.images.length > 0);
      const length = limits.length(sent);
      if (max !== null && length > max) {
        issues.push({
          path: `body.posts.${i}.text`,
          message: `${length} characters, over the limit of ${max} on ${KIND_LABEL[a.kind]} account "${a.name}"${p.images.length > 0 && a.kind === 'telegram_channel' ? ' (a photo caption)' : ''}`,
        });
      }
      if (p.images.length > limits.maxImages)
        issues.push({ path: `body.posts.${i}.images`, message: `${p.images.length} images, over the ${limits.maxImages} ${KIND_LABEL[a.kind]} account "${a.name}" takes` });
    }
    posts.push({ position: i, text: p.text, images: p.images, dueAt, targets: links.map((l) => withUtm(l, { ...utm, content: `post-${i + 1}` })) });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return { posts, accounts };
}

async function insertPost(trx: Db, deps: PostsDeps, workspaceId: string, seriesId: string, p: PlannedPost, accountIds: readonly string[], secret: string, now: number): Promise<void> {
  const id = newId('post', now);
  await trx
    .insertInto('posts')
    .values({ workspace_id: workspaceId, id, series_id: seriesId, position: p.position, text: p.text, images: toJson(p.images), due_at: p.dueAt, created_at: now, updated_at: now })
    .execute();
  await saveLinks(trx, { workspaceId, postId: id, targets: p.targets, secret, now });
  await trx
    .insertInto('post_deliveries')
    .values(
      accountIds.map((accountId) => ({
        workspace_id: workspaceId,
        post_id: id,
        account_id: accountId,
        status: 'pending' as const,
        idempotency_key: `post:${id}:${accountId}`,
        due_at: p.dueAt,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
}

export async function createSeries(deps: PostsDeps, workspaceId: string, body: unknown): Promise<string> {
  const input = parseOrThrow(seriesInput, body, 'body');
  const { posts } = await plan(deps, workspaceId, input);
  const secret = await workspaceSecret(deps.store, workspaceId);
  const now = deps.clock.now();
  const id = newId('pser', now);
  await deps.store.transaction(async (trx) => {
    await trx
      .insertInto('post_series')
      .values({
        workspace_id: workspaceId,
        id,
        name: input.name,
        timezone: input.timezone,
        recurrence: input.recurrence ? toJson(input.recurrence) : null,
        account_ids: toJson(input.accountIds),
        utm: toJson(input.utm),
        created_at: now,
        updated_at: now,
      })
      .execute();
    for (const p of posts) await insertPost(trx, deps, workspaceId, id, p, input.accountIds, secret, now);
  });
  return id;
}

export async function replaceSeries(deps: PostsDeps, workspaceId: string, id: string, body: unknown): Promise<void> {
  const input = parseOrThrow(seriesInput, body, 'body');
  const { posts } = await plan(deps, workspaceId, input);
  const secret = await workspaceSecret(deps.store, workspaceId);
  const now = deps.clock.now();
  await deps.store.transaction(async (trx) => {
    const found = await deps.store.adapter.lockRows(trx.selectFrom('post_series').select('id').where('workspace_id', '=', workspaceId).where('id', '=', id)).executeTakeFirst();
    if (!found) throw new NotFoundError('post series', id);
    const old = await trx.selectFrom('posts').select(['id', 'position', 'text', 'images']).where('workspace_id', '=', workspaceId).where('series_id', '=', id).execute();
    const started = new Set(
      (
        await trx
          .selectFrom('post_deliveries')
          .select('post_id')
          .where('workspace_id', '=', workspaceId)
          .where('post_id', 'in', old.length > 0 ? old.map((p) => p.id) : [''])
          .where((eb) => eb.or([eb('status', '!=', 'pending'), eb('attempts', '>', 0)]))
          .execute()
      ).map((r) => r.post_id),
    );
    for (const o of old.filter((p) => started.has(p.id))) {
      const next = posts[Number(o.position)];
      if (!next || next.text !== o.text || toJson(next.images) !== toJson(fromJson<string[]>(o.images))) {
        throw new ConflictError(`post ${Number(o.position) + 1} has already been published (or attempted) and cannot change`, `body.posts.${Number(o.position)}`);
      }
    }
    const replaced = old.filter((p) => !started.has(p.id)).map((p) => p.id);
    if (replaced.length > 0) await trx.deleteFrom('posts').where('workspace_id', '=', workspaceId).where('id', 'in', replaced).execute();
    await trx
      .updateTable('post_series')
      .set({
        name: input.name,
        timezone: input.timezone,
        recurrence: input.recurrence ? toJson(input.recurrence) : null,
        account_ids: toJson(input.accountIds),
        utm: toJson(input.utm),
        updated_at: now,
      })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
    const kept = new Set(old.filter((p) => started.has(p.id)).map((p) => Number(p.position)));
    for (const p of posts) if (!kept.has(p.position)) await insertPost(trx, deps, workspaceId, id, p, input.accountIds, secret, now);
  });
}

export async function deleteSeries(deps: Pick<PostsDeps, 'store'>, workspaceId: string, id: string): Promise<void> {
  const res = await deps.store.db.deleteFrom('post_series').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new NotFoundError('post series', id);
}
