/**
 * The message channels the web app offers, in one place: templates are written for
 * `TEMPLATE_CHANNELS`; a journey's message step and a frequency cap may also name `webhook` (no
 * template). The server has no listing endpoint yet; when it gains one, this is the file to change.
 */
export const TEMPLATE_CHANNELS = ['email', 'sms'] as const;
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];
export const STEP_CHANNELS = [...TEMPLATE_CHANNELS, 'webhook'] as const;

/** Templates a message step or broadcast of `channel` may use: those written for it (email when a template names none). */
export const templatesFor = <T extends { channel?: string }>(templates: readonly T[], channel: string): T[] => templates.filter((x) => (x.channel ?? 'email') === channel);

/** The ids of `ids` whose template is written for `channel` (`channelOf`: id → channel; email when unknown). */
export const templateIdsFor = (ids: readonly string[], channelOf: Readonly<Record<string, string>> | undefined, channel: string): string[] =>
  ids.filter((id) => (channelOf?.[id] ?? 'email') === channel);
