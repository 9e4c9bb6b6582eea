/**
 * A code from the API (`not_equals`, `active`, `delayed`) in the reader's words: the message
 * `<group>.<code>` when there is one (./codes-messages.ts), else the code itself.
 */
import { messages, type MessageKey } from './messages';

export type CodeGroup = 'segop' | 'run.status' | 'outcome' | 'sub.status' | 'tl.status' | 'status';

export function codeLabel(t: (key: MessageKey) => string, group: CodeGroup, code: string): string {
  const key = `${group}.${code}`;
  return key in messages.en ? t(key as MessageKey) : code;
}
