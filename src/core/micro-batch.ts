/**
 * @module Calls that arrive together are handled together: each `submit(item)` waits until
 * `batchSize` items have come (handed over at once) or none has come for `quietMs` (the rest are not
 * coming), then `handle(items)` runs once for all of them and each caller gets its own result (the
 * result at its index). When `handle` fails, every caller of that batch gets the error.
 */
export interface MicroBatchOptions {
  batchSize: number;
  quietMs: number;
}

export function microBatcher<I, R>(handle: (items: I[]) => Promise<R[]>, options: MicroBatchOptions): (item: I) => Promise<R> {
  let waiting: { item: I; resolve: (r: R) => void; reject: (err: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = waiting;
    waiting = [];
    handle(batch.map((w) => w.item)).then(
      (results) => batch.forEach((w, i) => w.resolve(results[i]!)),
      (err: unknown) => batch.forEach((w) => w.reject(err)),
    );
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (waiting.length >= options.batchSize) return flush();
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, options.quietMs);
    });
}
