/**
 * @module Pieces asked for together are printed together: the pipeline delivers a batch's messages
 * concurrently, one `print(source)` each, and the renderer is about 16 times faster printing 25
 * pieces in one Chromium call than one at a time (./render/renderer.ts). Requests are held until
 * `batchSize` have come or none has come for `quietMs` (../../core/micro-batch.ts).
 */
import { microBatcher } from '../../core/micro-batch.js';
import type { MailRenderer, PieceResult, PieceSource } from './render/renderer.js';

export function printQueue(renderer: Pick<MailRenderer, 'render'>, options: { batchSize?: number; quietMs?: number } = {}): (source: PieceSource) => Promise<PieceResult> {
  return microBatcher((sources: PieceSource[]) => renderer.render(sources), { batchSize: options.batchSize ?? 25, quietMs: options.quietMs ?? 15 });
}
