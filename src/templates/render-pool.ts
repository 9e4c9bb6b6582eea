/**
 * @module A small pool of worker threads for the renders people ask for interactively (previews),
 * so that no render blocks the event loop that also answers /healthz, the API and the tracking
 * links. Measured before: 10 parallel previews of a heavy template held the loop for seconds
 * (docs/templates.md, "Previews off the event loop").
 *
 * - `size` threads (default: cores − 1, at least 1), started on first use; jobs wait in one queue.
 * - A job that runs past `timeoutMs` is stopped for real: its thread is terminated (LiquidJS's own
 *   render limit is checked only between template nodes; a terminated thread stops anywhere) and a
 *   fresh one takes its place. The caller gets a ValidationError (the template's fault: 400).
 * - At most `perWorkspace` jobs per workspace are queued or running; more answer 429, so one
 *   workspace cannot fill the queue for everyone. `maxQueued` bounds the queue as a whole.
 *
 * The thread runs ./render-thread.ts: from the built `dist` as JavaScript; under tsx or vitest (this
 * file is TypeScript there) the thread first registers tsx's loader, then imports the TypeScript.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TooManyRequestsError, ValidationError } from '../core/errors.js';
import type { RenderJob, RenderJobResult } from './render-job.js';
import type { compileBodies } from './compile.js';
import type { ThreadAnswer, ThreadTask } from './render-thread.js';

export interface RenderPoolOptions {
  size?: number;
  timeoutMs?: number;
  perWorkspace?: number;
  maxQueued?: number;
}

export interface RenderPool {
  render(workspaceId: string, job: RenderJob): Promise<RenderJobResult>;
  /** compileBodies (./compile.ts) for saves of `workspaceId`, run on the pool. */
  compileFor(workspaceId: string): typeof compileBodies;
  close(): Promise<void>;
}

interface Pending {
  id: number;
  workspaceId: string;
  task: ThreadTask;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  job: Pending | null;
  timer: NodeJS.Timeout | null;
}

/** How a thread is started: the .js next to the built file, or the .ts source through tsx. */
function spawnThread(): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL('./render-thread.js', self));
  const require = createRequire(self);
  const pkgPath = require.resolve('tsx/package.json');
  const exported = (require(pkgPath) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']!.import.default;
  const api = pathToFileURL(path.join(path.dirname(pkgPath), exported)).href;
  const thread = new URL('./render-thread.ts', self).href;
  return new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(thread)}); })`, { eval: true });
}

export function createRenderPool(options: RenderPoolOptions = {}): RenderPool {
  const size = options.size ?? Math.max(1, os.availableParallelism() - 1);
  const timeoutMs = options.timeoutMs ?? 5000;
  const perWorkspace = options.perWorkspace ?? 4;
  const maxQueued = options.maxQueued ?? 64;
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  const inFlight = new Map<string, number>();
  let nextId = 1;
  let closed = false;

  const release = (p: Pending) => {
    const n = (inFlight.get(p.workspaceId) ?? 1) - 1;
    if (n <= 0) inFlight.delete(p.workspaceId);
    else inFlight.set(p.workspaceId, n);
  };

  const finish = (slot: Slot, settle: (p: Pending) => void) => {
    const job = slot.job;
    if (slot.timer) clearTimeout(slot.timer);
    slot.job = null;
    slot.timer = null;
    if (job) {
      release(job);
      settle(job);
    }
  };

  const replace = (slot: Slot) => {
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
  };

  const start = (): Slot => {
    const slot: Slot = { worker: spawnThread(), job: null, timer: null };
    slot.worker.unref();
    slot.worker.on('message', (answer: ThreadAnswer) => {
      if (!slot.job || slot.job.id !== answer.id) return;
      // The job's clock starts when the thread has loaded its code and begins (not at spawning).
      if ('started' in answer) return arm(slot);
      finish(slot, (p) => {
        if (answer.ok) p.resolve(answer.value);
        else p.reject(answer.validation ? new ValidationError(answer.validation.issues, answer.validation.message) : new Error(answer.message));
      });
      pump();
    });
    const died = (err: Error) => {
      finish(slot, (p) => p.reject(err));
      replace(slot);
      pump();
    };
    slot.worker.on('error', died);
    slot.worker.on('exit', (code) => died(new Error(`render thread exited with code ${code}`)));
    slots.push(slot);
    return slot;
  };

  /** Starts the running job's clock: past timeoutMs its thread is terminated. */
  function arm(slot: Slot): void {
    slot.timer = setTimeout(() => {
      finish(slot, (p) => p.reject(ValidationError.at('body', `rendering took longer than ${timeoutMs} ms and was stopped`)));
      replace(slot);
      pump();
    }, timeoutMs);
  }

  function pump(): void {
    while (!closed && queue.length > 0) {
      const slot = slots.find((s) => s.job === null) ?? (slots.length < size ? start() : null);
      if (!slot) return;
      const job = queue.shift()!;
      slot.job = job;
      slot.worker.postMessage({ id: job.id, task: job.task });
    }
  }

  const run = <T>(workspaceId: string, task: ThreadTask): Promise<T> => {
    if (closed) return Promise.reject(new Error('render pool is closed'));
    const mine = inFlight.get(workspaceId) ?? 0;
    if (mine >= perWorkspace)
      return Promise.reject(new TooManyRequestsError(`${mine} renders of this workspace are already running or waiting (at most ${perWorkspace}); retry when one has finished`));
    if (queue.length >= maxQueued) return Promise.reject(new TooManyRequestsError(`the render queue is full (${maxQueued}); retry shortly`));
    inFlight.set(workspaceId, mine + 1);
    return new Promise<T>((resolve, reject) => {
      queue.push({ id: nextId++, workspaceId, task, resolve: resolve as (v: unknown) => void, reject });
      pump();
    });
  };

  return {
    render: (workspaceId, job) => run<RenderJobResult>(workspaceId, { kind: 'render', job }),
    compileFor: (workspaceId) => (kind, channel, content, layout) => run(workspaceId, { kind: 'compile', args: [kind, channel, content, layout] }),
    async close() {
      closed = true;
      for (const p of queue.splice(0)) p.reject(new Error('render pool is closed'));
      for (const slot of [...slots]) {
        finish(slot, (p) => p.reject(new Error('render pool is closed')));
        replace(slot);
      }
    },
  };
}
