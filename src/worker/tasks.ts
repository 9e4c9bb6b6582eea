/**
 * @module Every background task the worker runs, in one list. A domain with background work (the
 * journey scheduler, broadcasts, segment recomputes, …) adds its task factory here.
 */
import type { AppDeps } from '../api/deps.js';
import type { WorkerTask } from './worker.js';
import { journeyTasks } from '../journeys/runtime/scheduler.js';
import { segmentTasks } from '../segments/task.js';
import { broadcastTasks } from '../broadcasts/task.js';

export type WorkerTaskFactory = (deps: AppDeps) => WorkerTask;

export const workerTaskFactories: WorkerTaskFactory[] = [journeyTasks, segmentTasks, broadcastTasks];

export function workerTasks(deps: AppDeps): WorkerTask[] {
  return workerTaskFactories.map((make) => make(deps));
}
