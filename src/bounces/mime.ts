/**
 * @module A small MIME reader for report messages. mailparser (which reads the top-level message in
 * ./report.ts) folds a `message/delivery-status` part into the plain text and drops its structure, so
 * the parts of a `multipart/report` (RFC 6522) are split here: headers, content type with parameters,
 * and the decoded body of each part, nested multiparts included (some providers wrap the report in
 * `multipart/mixed`). Only what bounce and complaint reports use; it never throws on odd input.
 */

export interface MimePart {
  headers: Map<string, string>;
  /** Lower-cased media type, e.g. `message/delivery-status`; `text/plain` when absent (RFC 2045 5.2). */
  contentType: string;
  params: Record<string, string>;
  /** Decoded body (base64 and quoted-printable undone); empty for a multipart. */
  body: string;
  parts: MimePart[];
}

const MAX_DEPTH = 5;

/** Parses a header block (lines up to the first blank line): unfolded, names lower-cased, first value wins. */
export function parseHeaderBlock(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

/** `multipart/report; report-type=delivery-status; boundary="x"` → type and parameters. */
export function parseContentType(value: string | undefined): { type: string; params: Record<string, string> } {
  if (!value) return { type: 'text/plain', params: {} };
  const [type, ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    params[p.slice(0, eq).trim().toLowerCase()] = p
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { type: (type ?? '').trim().toLowerCase() || 'text/plain', params };
}

function decodeBody(body: string, encoding: string | undefined): string {
  const e = (encoding ?? '').toLowerCase();
  if (e === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (e === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

function splitHeadersAndBody(raw: string): { head: string; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return { head: raw, body: '' };
  return { head: raw.slice(0, m.index), body: raw.slice(m.index + m[0].length) };
}

export function parseMime(raw: string, depth = 0): MimePart {
  const { head, body } = splitHeadersAndBody(raw);
  const headers = parseHeaderBlock(head);
  const { type, params } = parseContentType(headers.get('content-type'));
  const part: MimePart = { headers, contentType: type, params, body: '', parts: [] };
  if (type.startsWith('multipart/') && params.boundary && depth < MAX_DEPTH) {
    const delimiter = `--${params.boundary}`;
    const chunks: string[] = [];
    let current: string[] | null = null;
    for (const line of body.split(/\r?\n/)) {
      if (line.startsWith(delimiter)) {
        if (current) chunks.push(current.join('\r\n'));
        if (line.startsWith(`${delimiter}--`)) {
          current = null;
          break;
        }
        current = [];
      } else if (current) current.push(line);
    }
    if (current) chunks.push(current.join('\r\n'));
    part.parts = chunks.map((c) => parseMime(c, depth + 1));
    return part;
  }
  part.body = decodeBody(body, headers.get('content-transfer-encoding'));
  return part;
}

/** Every leaf and multipart below `root`, depth first (root included). */
export function allParts(root: MimePart): MimePart[] {
  return [root, ...root.parts.flatMap(allParts)];
}

/** Blocks of `name: value` fields separated by blank lines (the delivery-status body, RFC 3464 2.1). */
export function fieldGroups(body: string): Map<string, string>[] {
  return body
    .split(/\r?\n[ \t]*\r?\n/)
    .map((block) => parseHeaderBlock(block.trim()))
    .filter((g) => g.size > 0);
}
