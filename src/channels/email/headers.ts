/**
 * @module The standard headers of a Qatra email, each built as one ASCII line:
 *  - List-Unsubscribe (RFC 2369) with an https URL and a mailto, and List-Unsubscribe-Post (RFC 8058)
 *    so mailbox providers can unsubscribe with one POST (docs/standards.md §9, §11);
 *  - List-Id (RFC 2919), one list per workspace and topic;
 *  - Feedback-ID (Gmail's feedback loop): `<journey>:<template>:<workspace>:qatra`;
 * The signed Message-ID and VERP return path are built in bounces/signed-ids.ts.
 */

/** Feedback-ID fields may not contain ':'; ours are slugs and ids, but make sure. */
const fbl = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);

export interface StandardHeaderInput {
  workspaceId: string;
  workspaceName: string;
  domain: string;
  journeyId?: string | undefined;
  templateId: string;
  topic?: string | undefined;
  /** Present for marketing mail: the one-click URL and the mailto token. */
  unsubscribe?: { url: string; mailtoToken: string } | undefined;
}

export function standardHeaders(input: StandardHeaderInput): Record<string, string> {
  const label = input.topic ? fbl(input.topic).toLowerCase() : 'all';
  const listId = `<${label}.${input.workspaceId.toLowerCase().replace(/_/g, '-')}.${input.domain}>`;
  // The phrase is optional (RFC 2919); we only write it when it is plain printable ASCII.
  const phrase = /^[\x20-\x7e]{1,60}$/.test(input.workspaceName) ? `"${input.workspaceName.replace(/["\\]/g, '')}" ` : '';
  const headers: Record<string, string> = {
    'List-Id': `${phrase}${listId}`,
    'Feedback-ID': `${fbl(input.journeyId ?? 'api')}:${fbl(input.templateId)}:${fbl(input.workspaceId)}:qatra`,
  };
  if (input.unsubscribe) {
    headers['List-Unsubscribe'] = `<${input.unsubscribe.url}>, <mailto:unsubscribe+${input.unsubscribe.mailtoToken}@${input.domain}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return headers;
}

/** Parses `Name <addr@x>` or a bare address (a template's `from`). */
export function parseMailbox(value: string): { address: string; name?: string } {
  const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^>]+)>\s*$/.exec(value);
  if (m) return m[1] ? { name: m[1], address: m[2]!.trim() } : { address: m[2]!.trim() };
  return { address: value.trim() };
}
