/**
 * @module The worker thread of ./render-pool.ts: runs one job at a time and answers with its result
 * or its error. A ValidationError (a template's own fault) goes back with its issues, so the HTTP
 * answer is the same 400 as when rendering inline; anything else goes back as a message.
 */
import { parentPort } from 'node:worker_threads';
import { ValidationError } from '../core/errors.js';
import { runRenderJob, type RenderJob } from './render-job.js';

export type ThreadTask = { kind: 'render'; job: RenderJob };
export type ThreadAnswer =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; validation?: { issues: ValidationError['issues']; message: string }; message: string };

function run(task: ThreadTask): unknown {
  switch (task.kind) {
    case 'render':
      return runRenderJob(task.job);
    default:
      throw new Error(`unknown task ${(task as { kind: string }).kind}`);
  }
}

parentPort?.postMessage('ready');
parentPort?.on('message', ({ id, task }: { id: number; task: ThreadTask }) => {
  let answer: ThreadAnswer;
  try {
    answer = { id, ok: true, value: run(task) };
  } catch (err) {
    answer = err instanceof ValidationError
      ? { id, ok: false, validation: { issues: err.issues, message: err.message }, message: err.message }
      : { id, ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(answer);
});
