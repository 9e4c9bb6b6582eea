/**
 * @module The worker thread of ./render-pool.ts (previews, and MJML compiles for saves): runs one job at a time and answers with its result
 * or its error. A ValidationError (a template's own fault) goes back with its issues, so the HTTP
 * answer is the same 400 as when rendering inline; anything else goes back as a message.
 */
import { parentPort } from 'node:worker_threads';
import { ValidationError } from '../core/errors.js';
import { runRenderJob, type RenderJob } from './render-job.js';
import type { compileBodies } from './compile.js';

export type ThreadTask = { kind: 'render'; job: RenderJob } | { kind: 'compile'; args: Parameters<typeof compileBodies> };
export type ThreadAnswer =
  { id: number; started: true } | { id: number; ok: true; value: unknown } | { id: number; ok: false; validation?: { issues: ValidationError['issues']; message: string }; message: string };

/** `started()` says the code is loaded and the work begins: the pool's timeout counts from there. */
async function run(task: ThreadTask, started: () => void): Promise<unknown> {
  switch (task.kind) {
    case 'render':
      started();
      return runRenderJob(task.job);
    case 'compile': {
      // MJML is a large module (seconds to load through tsx on a busy box): loaded by the first
      // save, not by every thread, and not counted against the job's time.
      const { compileBodies: compile } = await import('./compile.js');
      started();
      return compile(...task.args);
    }
    default:
      throw new Error(`unknown task ${(task as { kind: string }).kind}`);
  }
}

parentPort?.on('message', async ({ id, task }: { id: number; task: ThreadTask }) => {
  let answer: ThreadAnswer;
  try {
    answer = { id, ok: true, value: await run(task, () => parentPort!.postMessage({ id, started: true })) };
  } catch (err) {
    answer =
      err instanceof ValidationError
        ? { id, ok: false, validation: { issues: err.issues, message: err.message }, message: err.message }
        : { id, ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(answer);
});
