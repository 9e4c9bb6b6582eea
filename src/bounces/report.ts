/**
 * @module Reads an inbound mail into what it reports:
 *  - a DSN (RFC 3464): `multipart/report; report-type=delivery-status` with a
 *    `message/delivery-status` part whose per-recipient groups carry Final-Recipient, Action, Status
 *    and Diagnostic-Code;
 *  - an ARF complaint (RFC 5965): `multipart/report; report-type=feedback-report` with a
 *    `message/feedback-report` part (Feedback-Type: abuse, …);
 *  - anything else (auto-replies, plain-text bounces of old MTAs, garbage): `other`, logged only.
 *
 * Either report names the original message by the VERP address it was returned to
 * (`bounces+<messageId>.<sig>@…`, the envelope recipient or To of the report, or the Return-Path of
 * the returned headers) and by the Message-ID in the returned `text/rfc822-headers` or
 * `message/rfc822` part. Both are collected, signatures unchecked; ./match.ts checks them (with the
 * workspace's secret, ./signed-ids.ts) and picks the message.
 */
import { simpleParser, type AddressObject } from 'mailparser';
import { allParts, fieldGroups, parseHeaderBlock, parseMime, type MimePart } from './mime.js';
import { classifyRecipient, statusCode, type BounceType } from './status.js';

export interface VerpRef {
  /** Our message id (`msg_…`). */
  messageId: string;
  /** The signature after the id (`bounces+msg_….<sig>@`), null when the address has none. */
  signature: string | null;
}

export interface MessageRefs {
  /** VERP addresses found in the report, signatures not yet checked. */
  verp: VerpRef[];
  /** Message-ID header values of the original message, with angle brackets. */
  messageIds: string[];
}

export interface DsnRecipient {
  recipient: string | null;
  action: string | null;
  status: string | null;
  diagnostic: string | null;
  /** Null when this recipient's Action is not a failure (delayed, delivered, relayed, expanded). */
  bounceType: BounceType | null;
}

export type InboundReport =
  | { kind: 'dsn'; recipients: DsnRecipient[]; refs: MessageRefs }
  | { kind: 'arf'; feedbackType: string; recipient: string | null; refs: MessageRefs }
  | { kind: 'other'; reason: string; refs: MessageRefs };

const VERP = /bounces\+(msg_[0-9a-z]{26})(?:\.([0-9a-z]{1,64}))?@/gi;

function verpRefsIn(texts: Array<string | undefined>): VerpRef[] {
  const refs = new Map<string, VerpRef>();
  for (const t of texts) {
    for (const m of (t ?? '').slice(0, 10_000).matchAll(VERP)) {
      const ref = { messageId: m[1]!.toLowerCase(), signature: m[2]?.toLowerCase() ?? null };
      refs.set(`${ref.messageId}.${ref.signature ?? ''}`, ref);
    }
  }
  return [...refs.values()];
}

/** `rfc822; bob@example.org` → `bob@example.org` (RFC 3464 address-type prefix). */
function addressField(value: string | undefined): string | null {
  if (!value) return null;
  const v = value.includes(';') ? value.slice(value.indexOf(';') + 1) : value;
  return (
    v
      .trim()
      .replace(/^<(.*)>$/, '$1')
      .toLowerCase() || null
  );
}

function addressesOf(a: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((o) => o.value.map((v) => v.address ?? '')).filter(Boolean);
}

/** A header as text: mailparser gives address headers (Delivered-To) as objects with `text`. */
function headerText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  const text = (v as { text?: unknown } | undefined)?.text;
  return typeof text === 'string' ? text : undefined;
}

/** Headers of the returned original: a text/rfc822-headers part, or the head of a message/rfc822 part. */
function originalHeaders(parts: MimePart[]): Map<string, string> | null {
  const part = parts.find((p) => p.contentType === 'text/rfc822-headers' || p.contentType === 'message/rfc822' || p.contentType === 'message/rfc822-headers');
  if (!part) return null;
  const head = part.body.split(/\r?\n\r?\n/)[0] ?? '';
  return parseHeaderBlock(head);
}

export async function readReport(raw: string, envelopeRecipients: string[] = []): Promise<InboundReport> {
  // mailparser reads the top-level message; a mail it cannot parse is reported as `other`.
  let top: Awaited<ReturnType<typeof simpleParser>>;
  try {
    top = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  } catch (err) {
    return { kind: 'other', reason: `unparseable: ${(err as Error).message}`, refs: { verp: verpRefsIn(envelopeRecipients), messageIds: [] } };
  }
  const root = parseMime(raw);
  const parts = allParts(root);
  const original = originalHeaders(parts);
  const messageIds = [original?.get('message-id')].filter((v): v is string => Boolean(v)).map((v) => (v.startsWith('<') ? v : `<${v}>`));

  const report = parts.find((p) => p.contentType === 'multipart/report');
  const statusPart = parts.find((p) => p.contentType === 'message/delivery-status' || p.contentType === 'message/global-delivery-status');
  const feedbackPart = parts.find((p) => p.contentType === 'message/feedback-report');
  const feedbackGroup = feedbackPart ? fieldGroups(feedbackPart.body)[0] : undefined;

  const refs: MessageRefs = {
    verp: verpRefsIn([
      ...envelopeRecipients,
      ...addressesOf(top.to),
      headerText(top.headers.get('delivered-to')),
      headerText(top.headers.get('x-original-to')),
      original?.get('return-path'),
      feedbackGroup?.get('original-mail-from'),
    ]),
    messageIds,
  };

  const reportType = (report?.params['report-type'] ?? '').toLowerCase();
  if (feedbackPart && (reportType === 'feedback-report' || !report)) {
    const feedbackType = (feedbackGroup?.get('feedback-type') ?? 'abuse').toLowerCase();
    return { kind: 'arf', feedbackType, recipient: addressField(feedbackGroup?.get('original-rcpt-to')) ?? addressField(original?.get('to')), refs };
  }
  if (statusPart) {
    const groups = fieldGroups(statusPart.body);
    const recipients: DsnRecipient[] = groups
      .filter((g) => g.has('final-recipient') || g.has('original-recipient'))
      .map((g) => {
        const action = g.get('action') ?? null;
        const status = g.get('status') ?? null;
        const diagnostic = g.get('diagnostic-code') ?? null;
        return {
          recipient: addressField(g.get('final-recipient') ?? g.get('original-recipient')),
          action,
          status: statusCode(status ?? undefined) ?? status,
          diagnostic,
          bounceType: classifyRecipient(action ?? undefined, status ?? undefined, diagnostic ?? undefined),
        };
      });
    if (recipients.length > 0) return { kind: 'dsn', recipients, refs };
    return { kind: 'other', reason: 'delivery-status report without recipients', refs };
  }
  return { kind: 'other', reason: report ? `report-type ${reportType || 'missing'}` : `not a report (${root.contentType})`, refs };
}
