/**
 * @module What ingestion does with a click id the snippet sends (`context.qatra.cid`, ./click-id.ts):
 * checks it against the workspace whose write key sent the call, at the time the call was received,
 * and when it holds, names its contact on the call (`Call.contactId`) so identity resolution ties the
 * call's anonymous id to that contact (src/contacts/identity.ts). A malformed, forged, expired or
 * other-workspace id changes nothing about the call's contact: the event is stored as it would be
 * without one (anonymously), and the outcome is counted (`qatra_click_ids_total`) and logged.
 *
 * The token itself is never stored: the event keeps `context.qatra.clickId`, the outcome (and, when
 * verified, the message it came from), so a timeline shows why the visit joined the contact.
 */
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics.js';
import type { Store } from '../store/store.js';
import type { Call } from '../events/call.js';
import type { JsonObject } from '../core/json.js';
import { workspaceSecret } from '../tracking/tokens.js';
import { verifyClickId } from './click-id.js';

export interface ClickIdDeps {
  store: Store;
  log: Logger;
  metrics: Pick<Metrics, 'clickIds'>;
}

/** The presented click id of a call, or undefined when the call carries none. */
function presented(call: Call): { qatra: JsonObject; cid: unknown } | undefined {
  const qatra = call.context.qatra;
  if (qatra === null || typeof qatra !== 'object' || Array.isArray(qatra) || !('cid' in qatra)) return undefined;
  return { qatra, cid: qatra.cid };
}

/**
 * A reader of click ids with its own cache of workspace secrets (secrets never change). Checks the
 * calls in place; calls without a click id cost one property read.
 */
export function clickIdReader(deps: ClickIdDeps): (workspaceId: string, calls: Call[]) => Promise<void> {
  const secrets = new Map<string, string>();
  return async (workspaceId, calls) => {
    for (const call of calls) {
      const found = presented(call);
      if (!found) continue;
      const secret = await workspaceSecret(deps.store, workspaceId, secrets);
      const check = verifyClickId(secret, workspaceId, found.cid, call.receivedAt);
      const { cid: _token, ...rest } = found.qatra;
      call.context = { ...call.context, qatra: { ...rest, clickId: check.ok ? { status: 'verified', messageId: check.messageId } : { status: check.reason } } };
      deps.metrics.clickIds.inc({ outcome: check.ok ? 'verified' : check.reason });
      if (check.ok) {
        if (call.userId === null) call.contactId = check.contactId;
      } else {
        deps.log.info({ workspaceId, outcome: check.reason, messageId: call.messageId }, 'click id ignored');
      }
    }
  };
}
