/**
 * @module Dropping a print batch at a print house (docs/mail.md "Batches and print houses"), the same
 * way into a local directory (./dir-target.ts) or over SFTP (./sftp-target.ts):
 *
 *   <root>/<batchId>/batch.pdf, manifest.csv, manifest.json
 *   <root>/<batchId>.done            written last: the batch is complete
 *
 * Every file is written under a temporary name (`.<name>.part`) and renamed to its own name only once
 * it is whole, and the `.done` marker (the files' sizes and SHA-256) is renamed into place after all
 * of them: a print house that picks up only batches with a `.done` never sees a partial one. A drop
 * cut off midway leaves no `.done`; the next attempt writes every file again (truncating what the
 * broken one left) and then the marker. A drop whose `.done` is there already does nothing, so a
 * retry after success delivers nothing twice.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** What a drop needs of a file system, local or remote. Paths are relative to the drop's root. */
export interface DropTarget {
  /** A readable description of where the root is (a directory, `sftp://user@host:port/dir`). */
  readonly location: string;
  exists(path: string): Promise<boolean>;
  /** Creates a directory (no error when it exists). */
  mkdir(path: string): Promise<void>;
  /** Writes a whole file, replacing any file of that name; chunks are written as they come (a batch PDF is read from disk, never held whole). */
  write(path: string, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void>;
  /** Renames, replacing `to` when it exists. */
  rename(from: string, to: string): Promise<void>;
  close(): Promise<void>;
}

/** A file to drop: its bytes, or (a batch PDF of thousands of pieces) the local file to stream. */
export type DropFile = { name: string; data: Uint8Array } | { name: string; path: string };

/** The file's chunks, hashed and counted on the way. */
async function* chunks(file: DropFile, hash: ReturnType<typeof createHash>, size: { bytes: number }): AsyncIterable<Uint8Array> {
  const source: AsyncIterable<Uint8Array> | Uint8Array[] = 'data' in file ? [file.data] : fs.createReadStream(file.path, { highWaterMark: 1 << 20 });
  for await (const chunk of source) {
    hash.update(chunk);
    size.bytes += chunk.byteLength;
    yield chunk;
  }
}

export interface DropResult {
  /** Where the batch now is. */
  location: string;
  /** False when its `.done` marker was there already (delivered before; nothing written). */
  written: boolean;
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$/;

export async function dropBatch(target: DropTarget, batchId: string, files: readonly DropFile[]): Promise<DropResult> {
  if (!FILE_NAME.test(batchId) || files.some((f) => !FILE_NAME.test(f.name))) throw new Error('unsafe batch or file name');
  const location = `${target.location.replace(/\/+$/, '')}/${batchId}`;
  const marker = `${batchId}.done`;
  if (await target.exists(marker)) return { location, written: false };
  await target.mkdir(batchId);
  const written: { name: string; bytes: number; sha256: string }[] = [];
  for (const f of files) {
    const part = `${batchId}/.${f.name}.part`;
    const hash = createHash('sha256');
    const size = { bytes: 0 };
    await target.write(part, chunks(f, hash, size));
    await target.rename(part, `${batchId}/${f.name}`);
    written.push({ name: f.name, bytes: size.bytes, sha256: hash.digest('hex') });
  }
  const done = { batchId, files: written };
  await target.write(`.${marker}.part`, new TextEncoder().encode(`${JSON.stringify(done, null, 2)}\n`));
  await target.rename(`.${marker}.part`, marker);
  return { location, written: true };
}
