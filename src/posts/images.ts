/**
 * @module Images of posts: uploaded once (PNG, JPEG, GIF or WebP, recognised by their first bytes,
 * not by what the client says; at most MAX_IMAGE_BYTES, under Telegram's 10 MB photo limit and
 * Mastodon's 16 MB), kept as files in the data directory (`post-images/<workspace>/<id>`), named
 * by post id lists. The file is written before its row, so a row always has its file.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { newId } from '../core/ids.js';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../core/errors.js';
import type { PostsDeps } from './deps.js';
import type { PostImage } from './destination.js';

export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/** The type the bytes really are, or null. */
export function sniffImage(data: Buffer): (typeof IMAGE_TYPES)[number] | null {
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 6 && /^GIF8[79]a$/.test(data.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (data.length >= 12 && data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

function fileOf(dataDir: string, workspaceId: string, id: string): string {
  return path.join(dataDir, 'post-images', workspaceId, id);
}

export async function saveImage(deps: PostsDeps, workspaceId: string, data: Buffer): Promise<{ id: string; contentType: string; bytes: number }> {
  if (data.length === 0) throw ValidationError.at('body', 'an image is required');
  if (data.length > MAX_IMAGE_BYTES) throw new PayloadTooLargeError(`an image may be at most ${MAX_IMAGE_BYTES} bytes`, 'body');
  const contentType = sniffImage(data);
  if (!contentType) throw ValidationError.at('body', `not an image Qatra takes (${IMAGE_TYPES.join(', ')})`);
  const now = deps.clock.now();
  const id = newId('pimg', now);
  const file = fileOf(deps.config.dataDir, workspaceId, id);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
  await deps.store.db.insertInto('post_images').values({ workspace_id: workspaceId, id, content_type: contentType, bytes: data.length, created_at: now }).execute();
  return { id, contentType, bytes: data.length };
}

/** The ids of `ids` this workspace does not have. */
export async function missingImages(deps: Pick<PostsDeps, 'store'>, workspaceId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await deps.store.db
    .selectFrom('post_images')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', [...ids])
    .execute();
  const found = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !found.has(id));
}

export async function readImage(deps: PostsDeps, workspaceId: string, id: string): Promise<PostImage> {
  const row = await deps.store.db.selectFrom('post_images').select(['id', 'content_type']).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('post image', id);
  return { id, contentType: row.content_type, data: await fs.readFile(fileOf(deps.config.dataDir, workspaceId, id)) };
}
