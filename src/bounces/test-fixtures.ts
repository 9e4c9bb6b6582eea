/**
 * @module Report mails for the bounce tests, written the way real MTAs and mailbox providers write
 * them: an RFC 3464 DSN (multipart/report; report-type=delivery-status) and an RFC 5965 ARF report
 * (multipart/report; report-type=feedback-report), plus a helper that sends raw mail over real SMTP
 * with nodemailer and the null sender `<>` that reports use, and the signed VERP address of a message.
 */
import nodemailer from 'nodemailer';
import type { Store } from '../store/store.js';
import { workspaceSecret } from '../tracking/tokens.js';
import { verpAddress } from './signed-ids.js';

/** The signed VERP address a message was sent from (`bounces+msg_….<sig>@domain`). */
export async function verpOf(store: Store, m: { id: string; workspaceId: string }, domain = 'bounces.example.com'): Promise<string> {
  return verpAddress(await workspaceSecret(store, m.workspaceId), m.id, domain);
}

export interface DsnInput {
  to: string;
  recipient: string;
  status: string;
  action?: string;
  diagnostic?: string;
  /** Message-ID of the original, returned in a text/rfc822-headers part. */
  originalMessageId?: string;
  originalReturnPath?: string;
}

export function dsnMail(d: DsnInput): string {
  const headers = [d.originalMessageId ? `Message-ID: ${d.originalMessageId}` : null, d.originalReturnPath ? `Return-Path: <${d.originalReturnPath}>` : null, `To: ${d.recipient}`, 'Subject: Welcome']
    .filter(Boolean)
    .join('\r\n');
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
    `To: ${d.to}`,
    'Subject: Undelivered Mail Returned to Sender',
    'Date: Mon, 5 Jan 2026 12:00:00 +0000',
    'Message-ID: <dsn.1@mx.example.net>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    '\tboundary="=_dsn_boundary"',
    '',
    'This is a MIME-encapsulated message.',
    '',
    '--=_dsn_boundary',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'I could not deliver your message to one or more recipients.',
    '',
    '--=_dsn_boundary',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    'Arrival-Date: Mon, 5 Jan 2026 11:59:58 +0000',
    '',
    `Final-Recipient: rfc822; ${d.recipient}`,
    `Original-Recipient: rfc822; ${d.recipient}`,
    `Action: ${d.action ?? 'failed'}`,
    `Status: ${d.status}`,
    'Remote-MTA: dns; mail.example.org',
    `Diagnostic-Code: smtp; ${d.diagnostic ?? `550 ${d.status} No such user`}`,
    '',
    '--=_dsn_boundary',
    'Content-Type: text/rfc822-headers',
    '',
    headers,
    '',
    '--=_dsn_boundary--',
    '',
  ].join('\r\n');
}

export interface ArfInput {
  to: string;
  recipient: string;
  feedbackType?: string;
  originalMessageId?: string;
  originalReturnPath?: string;
}

export function arfMail(a: ArfInput): string {
  const original = [
    a.originalReturnPath ? `Return-Path: <${a.originalReturnPath}>` : null,
    'From: Acme News <hello@news.example.com>',
    `To: ${a.recipient}`,
    'Subject: Welcome',
    a.originalMessageId ? `Message-ID: ${a.originalMessageId}` : null,
    '',
    'Hello!',
  ]
    .filter((l) => l !== null)
    .join('\r\n');
  return [
    'From: <staff@hotmail.example>',
    `To: ${a.to}`,
    'Subject: complaint about message from 192.0.2.1',
    'Date: Mon, 5 Jan 2026 12:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="part1_13d.2e68ed54_boundary"',
    '',
    '--part1_13d.2e68ed54_boundary',
    'Content-Type: text/plain; charset="US-ASCII"',
    'Content-Transfer-Encoding: 7bit',
    '',
    'This is an email abuse report for an email message received from IP 192.0.2.1.',
    '',
    '--part1_13d.2e68ed54_boundary',
    'Content-Type: message/feedback-report',
    '',
    `Feedback-Type: ${a.feedbackType ?? 'abuse'}`,
    'User-Agent: SomeGenerator/1.0',
    'Version: 1',
    a.originalReturnPath ? `Original-Mail-From: <${a.originalReturnPath}>` : 'Original-Mail-From: <hello@news.example.com>',
    `Original-Rcpt-To: <${a.recipient}>`,
    'Arrival-Date: Mon, 5 Jan 2026 11:00:00 +0000',
    'Source-IP: 192.0.2.1',
    '',
    '--part1_13d.2e68ed54_boundary',
    'Content-Type: message/rfc822',
    'Content-Disposition: inline',
    '',
    original,
    '',
    '--part1_13d.2e68ed54_boundary--',
    '',
  ].join('\r\n');
}

/** Sends `raw` to the listener over real SMTP from the null sender, as an MTA returns a report. */
export async function sendRaw(port: number, to: string, raw: string): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ envelope: { from: '', to: [to] }, raw });
  } finally {
    transport.close();
  }
}
