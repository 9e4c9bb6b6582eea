/**
 * @module The snippet as served: the hand-written ./snippet.js read once (from src/browser/ both when
 * run from src/ and from the built dist/), with its content hash, gzipped copy and ETag. Read by the
 * route module that serves it, which keeps the one copy for its app.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** src/browser/snippet.js at the package root, from src/browser (tests, tsx) and from dist/browser (built) alike. */
export const SNIPPET_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/browser/snippet.js');

export interface Snippet {
  source: Buffer;
  gzipped: Buffer;
  /** First 12 hex digits of the SHA-256 of the source: the versioned path is `/js/qatra.<hash>.js`. */
  hash: string;
  etag: string;
  /** `sha384-…`, for a `<script integrity>` on the versioned path. */
  integrity: string;
}

export function loadSnippet(file: string = SNIPPET_FILE): Snippet {
  const source = readFileSync(file);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  return {
    source,
    gzipped: gzipSync(source, { level: 9 }),
    hash,
    etag: `"${hash}"`,
    integrity: `sha384-${createHash('sha384').update(source).digest('base64')}`,
  };
}
