/**
 * @module Per-country rules of a postal address (docs/mail.md "Addresses"): which parts are required,
 * the postcode's pattern and printed form, and how the country writes the last lines (postcode before
 * or after the city, capitals where its post asks for them). Sources: each post's addressing guide
 * (USPS Pub. 28, Canada Post, Royal Mail PAF, Deutsche Post, La Poste NF Z10-011, SPL National
 * Address, Iran Post 10-digit codes, Emirates Post (no postcodes) …) as summarised by the UPU's
 * "Postal addressing systems" pages. A country not listed here but known to ISO 3166 gets the
 * generic rule: name, a street line and a city, any postcode up to 12 characters.
 */

/** How the locality line(s) are laid out: `{city}`, `{region}`, `{postcode}` placeholders, one entry per line. */
export type LocalityLayout = readonly string[];

export interface CountryRule {
  /** A postcode is required (the post sorts by it). */
  postcodeRequired: boolean;
  /** The postcode's pattern after normalisation (ASCII digits, upper case, single spaces); absent: no postcodes. */
  postcode?: RegExp;
  /** What the pattern means, for the error message. */
  postcodeExample?: string;
  /** Rewrites a matching postcode into its printed form (GB and CA insert the space). */
  printPostcode?: (postcode: string) => string;
  /** A region (state, province, emirate) is required. */
  regionRequired: boolean;
  /** Allowed region codes when the post wants a code (US states, CA provinces). */
  regions?: ReadonlySet<string>;
  locality: LocalityLayout;
  /** Parts printed in capitals, as the post asks (`city`, `region`, `lines`, `name`). */
  upper: readonly ('name' | 'lines' | 'city' | 'region')[];
  /** The locale used for capitals (Turkish dotted İ). */
  upperLocale?: string;
}

const US_STATES = new Set(
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI UM AA AE AP'.split(' '),
);
const CA_PROVINCES = new Set('AB BC MB NB NL NS NT NU ON PE QC SK YT'.split(' '));

const digits = (n: number) => new RegExp(`^\\d{${n}}$`);
const postcodeCity: LocalityLayout = ['{postcode} {city}'];
const cityPostcode: LocalityLayout = ['{city} {postcode}'];

export const COUNTRY_RULES: Readonly<Record<string, CountryRule>> = {
  // Saudi National Address: 5-digit postal code, optionally "-" and the 4-digit additional number.
  SA: { postcodeRequired: true, postcode: /^\d{5}(-\d{4})?$/, postcodeExample: '12345 or 12345-6789', regionRequired: false, locality: ['{city} {postcode}'], upper: ['city'] },
  // No postcodes; the emirate is the last line.
  AE: { postcodeRequired: false, regionRequired: true, locality: ['{city}', '{region}'], upper: ['city', 'region'] },
  EG: { postcodeRequired: false, postcode: digits(5), postcodeExample: '5 digits', regionRequired: false, locality: ['{city}', '{region}', '{postcode}'], upper: [] },
  // Iran Post: 10 digits, written 12345-67890.
  IR: {
    postcodeRequired: true,
    postcode: /^\d{5}-?\d{5}$/,
    postcodeExample: '10 digits (12345-67890)',
    printPostcode: (p) => p.replace(/^(\d{5})-?(\d{5})$/, '$1-$2'),
    regionRequired: false,
    locality: ['{city}', '{region}', '{postcode}'],
    upper: [],
  },
  IQ: { postcodeRequired: false, postcode: digits(5), postcodeExample: '5 digits', regionRequired: false, locality: ['{city} {postcode}', '{region}'], upper: ['city'] },
  JO: { postcodeRequired: false, postcode: digits(5), postcodeExample: '5 digits', regionRequired: false, locality: cityPostcode, upper: ['city'] },
  KW: { postcodeRequired: false, postcode: digits(5), postcodeExample: '5 digits', regionRequired: false, locality: ['{postcode} {city}'], upper: ['city'] },
  QA: { postcodeRequired: false, regionRequired: false, locality: ['{city}'], upper: ['city'] },
  OM: { postcodeRequired: false, postcode: digits(3), postcodeExample: '3 digits', regionRequired: false, locality: ['{postcode} {city}'], upper: ['city'] },
  BH: { postcodeRequired: false, postcode: /^\d{3,4}$/, postcodeExample: '3 or 4 digits', regionRequired: false, locality: cityPostcode, upper: ['city'] },
  MA: { postcodeRequired: true, postcode: digits(5), postcodeExample: '5 digits', regionRequired: false, locality: postcodeCity, upper: ['city'] },
  TR: { postcodeRequired: true, postcode: digits(5), postcodeExample: '5 digits', regionRequired: false, locality: ['{postcode} {city}/{region}'], upper: ['region'], upperLocale: 'tr' },
  DE: { postcodeRequired: true, postcode: digits(5), postcodeExample: '5 digits', regionRequired: false, locality: postcodeCity, upper: [] },
  FR: { postcodeRequired: true, postcode: digits(5), postcodeExample: '5 digits', regionRequired: false, locality: postcodeCity, upper: ['city'] },
  GB: {
    postcodeRequired: true,
    postcode: /^(GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$/,
    postcodeExample: 'such as SW1A 1AA',
    printPostcode: (p) => p.replace(/\s/g, '').replace(/^(.+)(\d[A-Z]{2})$/, '$1 $2'),
    regionRequired: false,
    locality: ['{city}', '{postcode}'],
    upper: ['city'],
  },
  US: {
    postcodeRequired: true,
    postcode: /^\d{5}(-\d{4})?$/,
    postcodeExample: 'ZIP 12345 or ZIP+4 12345-6789',
    regionRequired: true,
    regions: US_STATES,
    locality: ['{city} {region} {postcode}'],
    upper: ['name', 'lines', 'city', 'region'],
  },
  CA: {
    postcodeRequired: true,
    postcode: /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$/,
    postcodeExample: 'such as K1A 0B1',
    printPostcode: (p) => p.replace(/\s/g, '').replace(/^(.{3})(.{3})$/, '$1 $2'),
    regionRequired: true,
    regions: CA_PROVINCES,
    locality: ['{city} {region}  {postcode}'],
    upper: ['name', 'lines', 'city', 'region'],
  },
};

/** The rule of a country Qatra has no specific rule for (any ISO 3166 code Intl knows). */
export const GENERIC_RULE: CountryRule = {
  postcodeRequired: false,
  postcode: /^[A-Z0-9][A-Z0-9 -]{0,11}$/,
  postcodeExample: 'letters, digits, spaces and hyphens (max 12)',
  regionRequired: false,
  locality: ['{postcode} {city}', '{region}'],
  upper: ['city'],
};

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** True for an ISO 3166-1 alpha-2 code of a country or territory (not `XX`, not `EU`, not `ZZ`). */
export function isKnownCountry(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || code === 'EU' || code === 'EZ' || code === 'UN' || code === 'ZZ' || code.startsWith('X') || code === 'QO') return false;
  try {
    return regionNames.of(code) !== undefined;
  } catch {
    return false;
  }
}

export function ruleOf(country: string): CountryRule {
  return COUNTRY_RULES[country] ?? GENERIC_RULE;
}
