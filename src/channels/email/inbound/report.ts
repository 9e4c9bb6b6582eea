/**
 * @module Reading what comes back: delivery status notifications (RFC 3464:
 * `multipart/report; report-type=delivery-status`, per-recipient `Final-Recipient`, `Action`,
 * `Status`, `Diagnostic-Code`) and abuse reports (RFC 5965 ARF: `message/feedback-report` with
 * `Feedback-Type: abuse`). Pure functions over the parsed message; ./inbound.ts acts on them.
 *
 * Hard vs soft (STANDARDS.md 12, RFC 3463): 5.1.x (bad address) and 5.2.1 (mailbox disabled) are
 * hard: suppress now. Other failures (4.x.x, 5.2.2 mailbox full, policy 5.7.x) are not address-level.
 */
import type { ParsedMail } from 'mailparser';

export interface RecipientStatus {
  recipient: string;
  action: string;
  status: string;
  diagnostic?: string;
  hard: boolean;
}

/** `Name: value` fields of a report part, grouped in blank-line separated blocks (continuations unfolded). */
function fieldBlocks(text: string): Array<Record<string, string>> {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/\n[ \t]+/g, ' ')
    .split(/\n\s*\n/)
    .map((block) => {
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
        if (m) fields[m[1]!.toLowerCase()] = m[2]!.trim();
      }
      return fields;
    })
    .filter((f) => Object.keys(f).length > 0);
}

const stripType = (v: string) => v.replace(/^[a-z0-9-]+;\s*/i, '').replace(/^<|>$/g, '').trim().toLowerCase();

export function isHardStatus(status: string): boolean {
  return /^5\.1\.\d+$/.test(status) || status === '5.2.1';
}

/**
 * A report part's text. mailparser shows some report parts as attachments and folds others (e.g.
 * message/delivery-status) into the text body, so we fall back to the raw MIME: report parts are
 * 7-bit text by definition (RFC 3464 2.1, RFC 5965 3.1).
 */
function part(mail: ParsedMail, raw: string, type: string): string | null {
  const a = mail.attachments.find((x) => x.contentType.toLowerCase() === type);
  if (a) return a.content.toString('utf8');
  const escaped = type.replace(/[/.+-]/g, (c) => `\\${c}`);
  const m = new RegExp(`^Content-Type:\\s*${escaped}\\b[^\\n]*\\n(?:[^\\r\\n]+\\r?\\n)*\\r?\\n([\\s\\S]*?)(?=\\r?\\n--|(?![\\s\\S]))`, 'im').exec(raw);
  return m ? m[1]! : null;
}

/** The per-recipient results of a DSN, or null when the message is not one. */
export function deliveryStatus(mail: ParsedMail, raw: string): RecipientStatus[] | null {
  const text = part(mail, raw, 'message/delivery-status');
  if (text === null) return null;
  return fieldBlocks(text)
    .filter((f) => f['final-recipient'] || f['original-recipient'])
    .map((f) => {
      const status = (f.status ?? '').split(/\s/)[0]!;
      const action = (f.action ?? '').toLowerCase();
      const out: RecipientStatus = { recipient: stripType(f['final-recipient'] ?? f['original-recipient']!), action, status, hard: action === 'failed' && isHardStatus(status) };
      if (f['diagnostic-code']) out.diagnostic = f['diagnostic-code'];
      return out;
    });
}

/** An ARF abuse report's feedback type and the complained-about recipient, or null when not ARF. */
export function feedbackReport(mail: ParsedMail, raw: string): { type: string; recipient: string | null } | null {
  const text = part(mail, raw, 'message/feedback-report');
  if (text === null) return null;
  const f = fieldBlocks(text)[0] ?? {};
  const original = part(mail, raw, 'message/rfc822') ?? part(mail, raw, 'text/rfc822-headers') ?? '';
  const to = /^To:\s*(?:[^<\n]*<)?([^>\s]+@[^>\s]+)>?/im.exec(original)?.[1] ?? null;
  const recipient = f['original-rcpt-to'] ? stripType(f['original-rcpt-to']) : to ? to.toLowerCase() : null;
  return { type: (f['feedback-type'] ?? '').toLowerCase(), recipient };
}

/** Our message record id from a VERP address `bounces+msg_…@domain`, or from the original's headers. */
export function verpMessageId(address: string): string | null {
  const m = /^bounces\+(msg_[0-9a-z]{26})@/i.exec(address);
  return m ? m[1]!.toLowerCase() : null;
}
