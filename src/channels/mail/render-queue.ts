/**
 * @module Pieces asked for together are printed together: the pipeline delivers a batch's messages
 * concurrently, one `print(source)` each, and the renderer is about 16 times faster printing 25
 * pieces in one Chromium call than one at a time (./render/renderer.ts). Requests are held until
 * `batchSize` have come (handed over at once) or none has come for `quietMs` (the rest of the
 * batch is not coming), and each caller gets its own result.
 */
import type { MailRenderer, PieceResult, PieceSource } from './render/renderer.js';

export function printQueue(renderer: Pick<MailRenderer, 'render'>, options: { batchSize?: number; quietMs?: number } = {}): (source: PieceSource) => Promise<PieceResult> {
  const batchSize = options.batchSize ?? 25;
  const quietMs = options.quietMs ?? 15;
  let waiting: { source: PieceSource; resolve: (r: PieceResult) => void; reject: (err: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
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
      if (waiting.length >= batchSize) return flush();
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, quietMs);
    });
}
