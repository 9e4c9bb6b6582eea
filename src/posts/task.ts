/**
 * @module The posts worker task (registered in src/worker/tasks.ts): each tick publishes one batch
 * of due posts (./publish.ts) and reads one batch of engagement (./engagement.ts). Returns the
 * number handled, so the worker loop goes on at once while there is work.
 */
import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../core/app-deps.js';
import type { WorkerTask } from '../worker/worker.js';
import { POSTS_BATCH, POSTS_LEASE_MS, POSTS_RETRY, type PostsRuntime } from './runtime.js';
import { publishDue } from './publish.js';
import { fetchEngagement } from './engagement.js';

export function createPostsRuntime(deps: AppDeps, options: Partial<Omit<PostsRuntime, keyof AppDeps>> = {}): PostsRuntime {
  return {
    ...deps,
    workerId: `p${process.pid}-${randomBytes(3).toString('hex')}`,
    retry: POSTS_RETRY,
    leaseMs: POSTS_LEASE_MS,
    batchSize: POSTS_BATCH,
    ...options,
  };
}

export function postsTask(rt: PostsRuntime): WorkerTask {
  return {
    name: 'posts',
    async tick() {
      const now = rt.clock.now();
      return (await publishDue(rt, now)) + (await fetchEngagement(rt, now));
    },
  };
}

/** The factory src/worker/tasks.ts lists. */
export function postsTasks(deps: AppDeps): WorkerTask {
  return postsTask(createPostsRuntime(deps));
}
