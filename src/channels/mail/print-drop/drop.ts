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

/** What a drop needs of a file system, local or remote. Paths are relative to the drop's root. */
export interface DropTarget {
  /** A readable description of where the root is (a directory, `sftp://user@host:port/dir`). */
  readonly location: string;
  exists(path: string): Promise<boolean>;
  /** Creates a directory (no error when it exists). */
  mkdir(path: string): Promise<void>;
  /** Writes a whole file, replacing any file of that name. */
  write(path: string, data: Uint8Array): Promise<void>;
  /** Renames, replacing `to` when it exists. */
  rename(from: string, to: string): Promise<void>;
  close(): Promise<void>;
}

export interface DropFile {
  name: string;
  data: Uint8Array;
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
  for (const f of files) {
    const part = `${batchId}/.${f.name}.part`;
    await target.write(part, f.data);
    await target.rename(part, `${batchId}/${f.name}`);
  }
  const done = {
    batchId,
    files: files.map((f) => ({ name: f.name, bytes: f.data.byteLength, sha256: createHash('sha256').update(f.data).digest('hex') })),
  };
  await target.write(`.${marker}.part`, new TextEncoder().encode(`${JSON.stringify(done, null, 2)}\n`));
  await target.rename(`.${marker}.part`, marker);
  return { location, written: true };
}
