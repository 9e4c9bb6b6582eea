/**
 * @module Pieces asked for together are printed together: the pipeline delivers a batch's messages
 * concurrently, one `print(source)` each, and the renderer is about 16 times faster printing 25
 * pieces in one Chromium call than one at a time (./render/renderer.ts). Requests arriving within
 * `windowMs` of the first are handed to the renderer as one call; each caller gets its own result.
 */
import type { MailRenderer, PieceResult, PieceSource } from './render/renderer.js';

export function printQueue(renderer: Pick<MailRenderer, 'render'>, windowMs = 5): (source: PieceSource) => Promise<PieceResult> {
  let waiting: { source: PieceSource; resolve: (r: PieceResult) => void; reject: (err: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    const batch = waiting;
    waiting = [];
    renderer.render(batch.map((w) => w.source)).then(
      (results) => batch.forEach((w, i) => w.resolve(results[i]!)),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    );
  };
  return (source) =>
    new Promise<PieceResult>((resolve, reject) => {
      waiting.push({ source, resolve, reject });
      timer ??= setTimeout(flush, windowMs);
    });
}
