/**
 * @module What the bounce listener keeps of an inbound mail while it streams in: only what a report
 * is read by (./report.ts), so a large mail is never held whole in memory.
 *
 * The mail is read line by line, following its MIME structure (boundaries of nested multiparts, at
 * most `maxDepth` deep), and what is kept is again a MIME text that ./report.ts reads as before:
 *  - every header block (the mail's, each part's), up to `headerBytes` each;
 *  - the body of a `message/delivery-status`, `message/global-delivery-status` or
 *    `message/feedback-report` part, up to `reportBytes`; a `text/rfc822-headers` part, up to
 *    `headerBytes`;
 *  - a returned original (`message/rfc822`): its headers (up to `headerBytes`, Message-ID and
 *    Return-Path are there) and the first `originalBodyBytes` of its body;
 *  - a human-readable text part and preambles: the first `textBytes`;
 *  - anything else (attachments, images, epilogues): nothing but the part's headers.
 * Lines longer than `lineBytes` are cut, and the whole excerpt never exceeds `totalBytes`, so one
 * connection costs at most about `totalBytes` however large or hostile the mail. Bytes are kept as
 * received and decoded as UTF-8 only at the end.
 */
import { parseContentType, parseHeaderBlock } from './mime.js';

export interface ExcerptLimits {
  headerBytes: number;
  reportBytes: number;
  textBytes: number;
  originalBodyBytes: number;
  lineBytes: number;
  totalBytes: number;
  maxDepth: number;
}

export const DEFAULT_EXCERPT_LIMITS: Readonly<ExcerptLimits> = Object.freeze({
  headerBytes: 32 * 1024,
  reportBytes: 64 * 1024,
  textBytes: 4 * 1024,
  originalBodyBytes: 1024,
  lineBytes: 4 * 1024,
  totalBytes: 256 * 1024,
  maxDepth: 5,
});

type Mode = 'headers' | 'original-headers' | 'body';

const REPORT_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status', 'message/feedback-report']);
const HEADER_TYPES = new Set(['text/rfc822-headers', 'message/rfc822-headers', 'message/global-headers']);
const ORIGINAL_TYPES = new Set(['message/rfc822', 'message/global']);
const CRLF = Buffer.from('\r\n');

export class ReportExcerpt {
  private readonly out: Buffer[] = [];
  private kept = 0;
  /** The line being read: its kept pieces (copies, never views into the stream's chunks). */
  private line: Buffer[] = [];
  private lineLength = 0;
  private mode: Mode = 'headers';
  private headerText = '';
  private headerKept = 0;
  private budget = 0;
  /** Boundaries of the enclosing multiparts, outermost first. */
  private readonly boundaries: string[] = [];
  /** Bytes of the mail read so far (kept or not). */
  bytesRead = 0;

  constructor(private readonly limits: ExcerptLimits = DEFAULT_EXCERPT_LIMITS) {}

  push(chunk: Buffer): void {
    this.bytesRead += chunk.length;
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) {
        this.addPiece(chunk.subarray(start));
        return;
      }
      const end = nl + 1;
      if (this.lineLength === 0 && this.mode === 'body' && this.budget === 0 && !(chunk[start] === 45 && chunk[start + 1] === 45)) {
        // Most of a large mail: a line of a part we keep nothing more of, and no delimiter.
      } else if (this.lineLength === 0) {
        // The common case: a whole line inside this chunk, looked at in place (copied only if kept).
        const cut = end - start > this.limits.lineBytes;
        this.take(chunk.subarray(start, cut ? start + this.limits.lineBytes : end), cut);
      } else {
        this.addPiece(chunk.subarray(start, end));
        this.endLine();
      }
      start = end;
    }
  }

  /** The kept text; the reader calls it once, after the last chunk. */
  end(): string {
    if (this.lineLength > 0) this.endLine();
    return Buffer.concat(this.out).toString('utf8');
  }

  /** Part of a line that continues in the next chunk: copied (up to `lineBytes`), not a view. */
  private addPiece(piece: Buffer): void {
    const room = this.limits.lineBytes - this.lineLength;
    if (room <= 0) return;
    const copy = Buffer.from(piece.subarray(0, room));
    this.line.push(copy);
    this.lineLength += copy.length;
  }

  private endLine(): void {
    const line = this.line.length === 1 ? this.line[0]! : Buffer.concat(this.line);
    this.line = [];
    this.lineLength = 0;
    this.take(line, line[line.length - 1] !== 10);
  }

  /** Keeps a copy of `line` (a cut line gets its line break back). */
  private emit(line: Buffer, cut = false): void {
    const length = line.length + (cut ? 2 : 0);
    if (this.kept + length > this.limits.totalBytes) return;
    this.out.push(cut ? Buffer.concat([line, CRLF]) : Buffer.from(line));
    this.kept += length;
  }

  /** The innermost enclosing boundary this line is a delimiter of: its index, and whether it closes. */
  private delimiter(line: Buffer): { index: number; closing: boolean } | null {
    if (this.boundaries.length === 0 || line[0] !== 45 || line[1] !== 45) return null;
    const text = line.toString('latin1').replace(/[ \t]*\r?\n$/, '');
    for (let i = this.boundaries.length - 1; i >= 0; i--) {
      const b = `--${this.boundaries[i]}`;
      if (text === b) return { index: i, closing: false };
      if (text === `${b}--`) return { index: i, closing: true };
    }
    return null;
  }

  private take(line: Buffer, cut: boolean): void {
    const d = cut ? null : this.delimiter(line);
    if (d) {
      this.boundaries.length = d.closing ? d.index : d.index + 1;
      this.emit(line);
      this.startHeaders(d.closing ? null : 'headers');
      return;
    }
    if (this.mode === 'body') {
      if (cut || line.length > this.budget) {
        this.budget = 0;
        return;
      }
      this.budget -= line.length;
      this.emit(line);
      return;
    }
    if (!cut && line.length <= 2 && (line[0] === 10 || (line[0] === 13 && line[1] === 10))) {
      this.emit(line);
      if (this.mode === 'headers') this.startBody();
      else this.startBodyOf(this.limits.originalBodyBytes);
      return;
    }
    if (this.headerKept + line.length + 2 > this.limits.headerBytes) return;
    this.headerKept += line.length + (cut ? 2 : 0);
    if (this.mode === 'headers') this.headerText += `${line.toString('latin1')}${cut ? '\r\n' : ''}`;
    this.emit(line, cut);
  }

  /** After a delimiter: a part's headers follow, or (closing delimiter, `null`) an epilogue. */
  private startHeaders(next: 'headers' | null): void {
    this.headerText = '';
    this.headerKept = 0;
    if (next) this.mode = next;
    else this.startBodyOf(0);
  }

  private startBodyOf(bytes: number): void {
    this.mode = 'body';
    this.budget = bytes;
  }

  /** The end of a part's header block: what of its body to keep. */
  private startBody(): void {
    const { type, params } = parseContentType(parseHeaderBlock(this.headerText).get('content-type'));
    this.headerText = '';
    this.headerKept = 0;
    if (type.startsWith('multipart/')) {
      if (params.boundary && this.boundaries.length < this.limits.maxDepth) this.boundaries.push(params.boundary);
      return this.startBodyOf(this.limits.textBytes);
    }
    if (ORIGINAL_TYPES.has(type)) {
      this.mode = 'original-headers';
      return;
    }
    if (REPORT_TYPES.has(type)) return this.startBodyOf(this.limits.reportBytes);
    if (HEADER_TYPES.has(type)) return this.startBodyOf(this.limits.headerBytes);
    if (type.startsWith('text/')) return this.startBodyOf(this.limits.textBytes);
    this.startBodyOf(0);
  }
}
