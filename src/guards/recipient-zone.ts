/**
 * @module The time zone quiet hours are counted in for one recipient on one channel: the contact's
 * own zone; else, for a channel that sends to a phone, the zone its number's country implies
 * (src/core/phone.ts: Tehran for +98, Riyadh for +966); else the fallback (the workspace's). The SMS
 * channel counts its send-time checks in the same zone (src/channels/sms/channel.ts).
 */
import { descriptorOf } from '../channels/descriptors.js';
import { isValidTimeZone } from '../core/time-zone.js';
import { phoneTimeZone } from '../core/phone.js';

export function recipientZone(contact: { timezone: string | null; phone: string | null }, channel: string, fallback: string): string {
  if (contact.timezone && isValidTimeZone(contact.timezone)) return contact.timezone;
  if (contact.phone && descriptorOf(channel)?.address.kind === 'phone') return phoneTimeZone(contact.phone) ?? fallback;
  return fallback;
}
