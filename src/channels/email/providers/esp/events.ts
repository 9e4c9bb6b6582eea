/**
 * @module Applies a verified ESP webhook's events inside the caller's transaction: each is matched
 * to the workspace's message (by our record id, else the ESP's id or Message-ID:
 * src/bounces/match.ts) and goes through the same logic as a DSN or ARF report (src/bounces/apply.ts):
 * a hard bounce suppresses, a complaint suppresses and withdraws email consent, opens and clicks are
 * engagement events. Each event's deterministic key makes a repeat a `duplicate`.
 */
import { applyFeedback, type FeedbackDeps } from '../../../../bounces/apply.js';
import { findWorkspaceMessage } from '../../../../bounces/match.js';
import type { Db } from '../../../../store/store.js';
import type { EspEvent } from './hook.js';
import type { EspKind } from './kinds.js';

export interface EspEventCounts {
  applied: number;
  duplicate: number;
  ignored: number;
  unmatched: number;
}

export async function applyEspEvents(deps: FeedbackDeps, trx: Db, workspaceId: string, kind: EspKind, events: readonly EspEvent[]): Promise<EspEventCounts> {
  const counts: EspEventCounts = { applied: 0, duplicate: 0, ignored: 0, unmatched: 0 };
  for (const e of events) {
    const message =
      (e.ref.messageId ? await findWorkspaceMessage(trx, workspaceId, { messageId: e.ref.messageId }) : undefined) ??
      (await findWorkspaceMessage(trx, workspaceId, { providerMessageId: e.ref.providerMessageId }));
    if (!message || message.channel !== 'email') {
      counts.unmatched++;
      continue;
    }
    const r = await applyFeedback(deps, trx, message, e.feedback, { source: kind, at: e.at });
    counts[r.outcome]++;
  }
  return counts;
}
