import { describe, expect, it } from 'vitest';
import { messages, type MessageKey } from './messages';

/** The shipped languages besides English. */
const SHIPPED = ['ar', 'fa'] as const;
/** English singulars (`<key>.one`): Arabic and Persian phrase counts without them (./i18n.tsx). */
const keys = (Object.keys(messages.en) as MessageKey[]).filter((k) => !k.endsWith('.one'));
const vars = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
/** Strings that read the same in every language: names, formats, symbols. */
const SAME_EVERYWHERE = /^[^A-Za-z]*$|^(Qatra|JSON|YAML|MJML|HTML|SMTP|URL|UTM|API|CSV|IP|ID|DKIM|SPF|DMARC|GSM-7|[A-Z]{2,6}|[a-z_.]+\.[a-z_.]+)$/;

describe('the interface strings', () => {
  it.each(SHIPPED)('%s has every key English has', (lang) => {
    expect(keys.filter((k) => !(k in messages[lang]))).toEqual([]);
  });

  it.each(SHIPPED)('%s keeps every {placeholder} of the English string', (lang) => {
    const wrong = keys.filter((k) => messages[lang][k] !== undefined && vars(messages[lang][k]!).join() !== vars(messages.en[k]!).join());
    expect(wrong).toEqual([]);
  });

  it.each(SHIPPED)('%s is translated, not an English copy', (lang) => {
    const copies = keys.filter((k) => messages[lang][k] === messages.en[k] && !SAME_EVERYWHERE.test(messages.en[k]!.replace(/\{\w+\}/g, '')));
    expect(copies).toEqual([]);
  });
});
