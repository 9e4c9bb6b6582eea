/**
 * @module What the platform knows about a channel (docs/channels.md): a plain description, free of
 * providers and I/O, so that lower layers (templates, statistics, consent, the journey validator) can
 * read it without importing a channel's implementation. `./descriptors.ts` lists them; nothing else
 * lists channels.
 */

/** What a descriptor reads of a contact (a structural part of contacts/contact.ts `Contact`, so the web app can import this file). */
export interface AddressedContact {
  /** The contact's id: what a `handle` channel's address stands for until its handle is looked up. */
  id?: string;
  email: string | null;
  phone: string | null;
  /** The postal address (src/contacts/postal-address.ts), as stored. */
  address?: object | null;
}

/**
 * The contact field a channel sends to; `handle`: an address the contact gave the channel itself (a
 * Telegram chat id, `channel_handles`), which the channel's sender looks up when it delivers.
 */
export type AddressKind = 'email' | 'phone' | 'postal' | 'handle' | 'none';

export interface ChannelDescriptor {
  readonly name: string;
  /** Human name for screens. */
  readonly label: string;
  readonly address: {
    readonly kind: AddressKind;
    /** The contact's address on this channel, or null when it has none. */
    of(contact: AddressedContact): string | null;
  };
  /**
   * The template channel its messages render from (`templates.channel`), or null when it renders
   * none (a webhook posts the contact and context as they are).
   */
  readonly templateChannel: string | null;
  /** The consent channel asked before a marketing send (`consents.channel`); null: no consent applies. */
  readonly consentChannel: string | null;
  /**
   * Marketing needs the contact's explicit `subscribed` on the consent channel, not only no
   * withdrawal (SMS: prior express consent, docs/standards.md SMS); transactional sends never do.
   */
  readonly consentRequired: boolean;
  /** True when the channel's addresses are kept on the suppression list (hard bounces, invalid numbers). */
  readonly suppressible: boolean;
  /** True when `POST /api/messages/send` may use it. */
  readonly transactional: boolean;
  /**
   * What counts as delivered in statistics: `sent` (the provider accepted it and nothing came back:
   * email, minus bounces) or `receipt` (only a delivery receipt saying so: SMS).
   */
  readonly delivered: 'sent' | 'receipt';
  /** Engagement the channel can measure (`read`: the provider reports that the recipient read it, WhatsApp). */
  readonly engagement: readonly ('open' | 'click' | 'read')[];
  /** Bounces and complaints (feedback loops) exist for it. */
  readonly bounces: boolean;
  /**
   * The consent-ledger sources that count as an opt-out made from one of its messages (statistics);
   * null: every unsubscribe from the channel does (an SMS STOP is always an answer to our messages).
   */
  readonly optOutSources: readonly string[] | null;
  /** Quiet hours apply to its marketing sends even when neither the journey nor the workspace sets any. */
  readonly quietByDefault: boolean;
}
