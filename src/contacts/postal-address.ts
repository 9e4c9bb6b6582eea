/**
 * @module A contact's postal address, as direct mail (docs/mail.md) prints and posts it: structured,
 * never one free-text blob, so it can be validated per country, formatted by the country's
 * convention and sorted by postcode for postal presort.
 */

export interface PostalAddress {
  /** The addressee as printed (a person, or "Attn" line for a company). */
  name: string;
  /** Street lines, first to last (1 to 3). */
  lines: string[];
  city: string;
  /** State, province, emirate or ostan, where the country uses one. */
  region?: string;
  postcode?: string;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
}
