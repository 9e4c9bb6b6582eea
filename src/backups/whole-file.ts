/**
 * @module A file that is written whole or not at all. A backup (or a restored database) is produced
 * under a hidden `.<name>.partial-<pid>` name beside its target, flushed to disk, checked, and only
 * then renamed to its name (a rename within one directory is atomic). Whatever fails on the way (a
 * full disk, a file-size limit, a dump tool that exits non-zero, a check that finds damage) removes
 * the partial file: the target name never holds a half-written file that looks valid.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConflictError, QatraError, UnavailableError, ValidationError } from '../core/errors.js';

export interface WholeFileOptions {
  /** Replace a file that already has the target's name (otherwise refused). */
  force?: boolean | undefined;
  /** What the file is, for messages: "backup", "database". */
  what: string;
  /** The option or argument that named the target, for messages. */
  field: string;
}

/** Codes of a target that has no room left: a full disk, a quota, a file-size limit. */
const FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'SQLITE_FULL']);

/** SQLite reports a write the file system refused (EFBIG among others) as an I/O error (its backup step without the extended code). */
const WRITE_FAILED = new Set(['SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'EIO']);

function isFull(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return FULL.has(e.code ?? '') || /disk is full|No space left|File too large|quota exceeded/i.test(e.message ?? '');
}

/** The partial name of `target` for this process. */
export function partialName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.partial-${process.pid}`);
}

export async function writeWhole(target: string, options: WholeFileOptions, produce: (partial: string) => Promise<void>, check: (partial: string) => Promise<void>): Promise<void> {
  const dir = path.dirname(target);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw ValidationError.at(options.field, `directory ${dir} does not exist`);
  if (fs.existsSync(target)) {
    if (!options.force) throw new ConflictError(`${target} already exists; pass --force to replace it`, options.field);
    if (fs.statSync(target).isDirectory()) throw ValidationError.at(options.field, `${target} is a directory; name a file`);
  }
  const partial = partialName(target);
  fs.rmSync(partial, { force: true });
  try {
    await produce(partial);
    const fd = fs.openSync(partial, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    await check(partial);
    fs.renameSync(partial, target);
    syncDirectory(dir);
  } catch (err) {
    // SQLite's online backup may leave its rollback journal (or WAL) beside a partial it could not finish.
    for (const file of [partial, `${partial}-journal`, `${partial}-wal`, `${partial}-shm`]) fs.rmSync(file, { force: true });
    if (isFull(err)) throw new UnavailableError(`${options.what} not written: ${dir} has no room for it (${(err as Error).message.trim()}); nothing was left at ${target}`);
    if (WRITE_FAILED.has((err as { code?: string }).code ?? ''))
      throw new UnavailableError(`${options.what} not written: writing to ${dir} failed (${(err as Error).message.trim()}: a full disk, a quota or a file-size limit?); nothing was left at ${target}`);
    if (err instanceof QatraError) throw err;
    throw new UnavailableError(`${options.what} not written (${(err as Error).message.trim()}); nothing was left at ${target}`);
  }
}

/** After a rename: the directory entry itself on disk, so a power loss cannot undo it. */
function syncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
