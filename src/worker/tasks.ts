/**
 * @module Every background task the worker runs, in one list. A domain with background work (the
 * journey scheduler, broadcasts, segment recomputes, …) adds its task factory here.
 */
import type { AppDeps } from '../core/app-deps.js';
import type { WorkerTask } from './worker.js';
import type { Metrics } from '../metrics/metrics.js';
import { journeyTasks } from '../journeys/runtime/scheduler.js';
import { segmentTasks } from '../segments/task.js';
import { messageRetryTask } from '../messages/retry.js';
import { scoringTasks } from '../scoring/decay.js';
import { statsTasks } from '../stats/task.js';
import { broadcastTasks } from '../broadcasts/task.js';
import { ratePruneTask } from '../channels/rate-limit.js';
import { insightTasks } from '../insights/scan.js';
import { predictionTasks } from '../insights/predict-task.js';
import { deliverabilityTask } from '../deliverability/task.js';
import { postsTasks } from '../posts/task.js';
import { mailTasks } from '../channels/mail/task.js';
import { retentionTask } from '../retention/task.js';

export type WorkerTaskFactory = (deps: AppDeps) => WorkerTask;

export const workerTaskFactories: WorkerTaskFactory[] = [
  journeyTasks,
  segmentTasks,
  messageRetryTask,
  scoringTasks,
  statsTasks,
  broadcastTasks,
  (deps) => ratePruneTask(deps),
  insightTasks,
  (deps) => predictionTasks(deps),
  (deps) => deliverabilityTask(deps),
  postsTasks,
  mailTasks,
  (deps) => retentionTask(deps),
];

export function workerTasks(deps: AppDeps): WorkerTask[] {
  return workerTaskFactories.map((make) => measured(make(deps), deps.metrics));
}

/** The task, counting its items, tick durations and failures in /metrics. */
function measured(task: WorkerTask, metrics: Metrics): WorkerTask {
  const labels = { task: task.name };
  return {
    name: task.name,
    async tick() {
      const end = metrics.workerTickDuration.startTimer(labels);
      try {
        const n = await task.tick();
        if (n > 0) metrics.workerItems.inc(labels, n);
        return n;
      } catch (err) {
        metrics.workerTickFailures.inc(labels);
        throw err;
      } finally {
        end();
      }
    },
  };
}
