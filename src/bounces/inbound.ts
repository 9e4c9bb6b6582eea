/**
 * @module One inbound mail on the bounce mailbox, end to end: read the report (./report.ts), find
 * the message it is about (./match.ts), apply it (./apply.ts) in one transaction. Mail that is not a
 * report, or names no message of ours with a valid signature (an unsigned or forged VERP address or
 * Message-ID), is only logged and counted: the answer says what happened, for the log, the counter
 * and the tests. Database errors propagate (the listener then answers 451 so the sender retries).
 * Mail to our `unsubscribe+TOKEN@…` addresses (the mailto half of List-Unsubscribe, RFC 2369)
 * unsubscribes instead.
 */
import type { Logger } from 'pino';
import { applyFeedback, type Feedback, type FeedbackDeps, type FeedbackOutcome } from './apply.js';
import { findReportedMessage } from './match.js';
import { readReport, type InboundReport } from './report.js';
import { isUnsubscribeAddress, unsubscribeByMail } from '../unsubscribe/mailto.js';

export interface InboundResult {
  kind: InboundReport['kind'] | 'unsubscribe';
  /** Our message id, when the report named one. */
  messageId: string | null;
  outcomes: FeedbackOutcome[];
  note?: string;
  /** Set when the report named a message of ours without a valid signature. */
  refused?: 'unsigned' | 'bad signature';
}

export interface InboundDeps extends FeedbackDeps {
  log?: Logger | undefined;
  /** Workspace signing secrets, cached for the process (they never change). */
  secrets?: Map<string, string> | undefined;
}

export async function processInbound(deps: InboundDeps, raw: string, envelopeRecipients: string[], envelopeFrom?: string): Promise<InboundResult> {
  const unsubscribeTo = envelopeRecipients.find(isUnsubscribeAddress);
  if (unsubscribeTo) {
    const done = await unsubscribeByMail(deps, unsubscribeTo, envelopeFrom);
    deps.log?.info({ to: unsubscribeTo, done: Boolean(done) }, 'bounce mailbox: unsubscribe by mail');
    return { kind: 'unsubscribe', messageId: done?.messageId ?? null, outcomes: [], ...(done ? {} : { note: 'unknown unsubscribe token' }) };
  }
  const report = await readReport(raw, envelopeRecipients);
  if (report.kind === 'other') {
    deps.log?.info({ reason: report.reason, to: envelopeRecipients }, 'bounce mailbox: not a delivery or feedback report; ignored');
    return { kind: 'other', messageId: null, outcomes: [], note: report.reason };
  }
  const match = await findReportedMessage(deps.store, report.refs, deps.secrets);
  if (!match.message) {
    const { refused } = match;
    if (refused === 'unknown') {
      deps.log?.warn({ kind: report.kind, refs: report.refs }, 'bounce mailbox: report names no known message; ignored');
      return { kind: report.kind, messageId: null, outcomes: [], note: 'no matching message' };
    }
    deps.log?.warn({ kind: report.kind, refs: report.refs, refused }, 'bounce mailbox: report names a message without a valid signature; ignored');
    return { kind: report.kind, messageId: null, outcomes: [], note: `refused: ${refused}`, refused };
  }
  const message = match.message;
  const feedback: Feedback[] =
    report.kind === 'arf'
      ? [{ type: 'complained', feedbackType: report.feedbackType, recipient: report.recipient }]
      : report.recipients.flatMap((r) =>
          r.bounceType ? [{ type: 'bounced' as const, bounceType: r.bounceType, status: r.status, diagnostic: r.diagnostic?.slice(0, 300), recipient: r.recipient }] : [],
        );
  if (feedback.length === 0) return { kind: report.kind, messageId: message.id, outcomes: [], note: 'no failed recipient (delayed or delivered)' };
  const outcomes = await deps.store.transaction(async (trx) => {
    const out: FeedbackOutcome[] = [];
    // A DSN about our message has one recipient (we send one per message); a second failed group
    // only repeats it, and the event's dedupe key turns it into `duplicate`.
    for (const fb of feedback) out.push(await applyFeedback(deps, trx, message, fb, { source: 'smtp' }));
    return out;
  });
  deps.log?.info({ kind: report.kind, messageId: message.id, outcomes }, 'bounce mailbox: report applied');
  return { kind: report.kind, messageId: message.id, outcomes };
}
