/**
 * Markets the seed draws customers from: for each country, its currency, the Billflow legal
 * entity that bills it, its tax regions (codes present in migration 0002), locales, names and
 * phone numbering. Currency, country, tax region and entity are always chosen together here,
 * so a seeded customer is consistent by construction (INR ↔ IN-xx ↔ entity 'in', EUR ↔ DE/FR/…).
 *
 * Phone numbers use fictional ranges where a country reserves them (US 555-01xx, UK 07700
 * 900xxx), and e-mails use the reserved example.* domains: seeded data must never reach people.
 */
import type { SeedCurrency } from './catalog.ts';
import { NAME_POOLS, type NamePool } from './names.ts';
import { type Rng, WeightedTable } from './prng.ts';

export interface Market {
  country: string;
  currency: SeedCurrency;
  entityId: string;
  regions: WeightedTable<string>;
  locales: WeightedTable<string>;
  names: NamePool;
  companySuffix: string;
  phone: (rng: Rng) => string;
}

function digits(rng: Rng, count: number): string {
  let s = '';
  for (let i = 0; i < count; i++) s += String(rng.int(0, 9));
  return s;
}

function market(
  country: string,
  currency: SeedCurrency,
  entityId: string,
  regions: ReadonlyArray<readonly [string, number]>,
  locales: ReadonlyArray<readonly [string, number]>,
  companySuffix: string,
  phone: (rng: Rng) => string,
): Market {
  const names = NAME_POOLS[country];
  if (!names) throw new Error(`no name pool for ${country}`);
  return {
    country, currency, entityId, companySuffix, phone, names,
    regions: new WeightedTable(regions),
    locales: new WeightedTable(locales),
  };
}

const US_AREA_CODES = ['212', '646', '718', '415', '213', '310', '512', '713', '214', '206', '509', '503', '541'];

// prettier-ignore
export const MARKETS: Readonly<Record<string, Market>> = {
  US: market('US', 'USD', 'us',
    [['US-NY', 30], ['US-CA', 30], ['US-TX', 20], ['US-WA', 12], ['US-OR', 8]],
    [['en', 88], ['es', 12]], 'Inc.',
    (r) => `+1${r.pick(US_AREA_CODES)}55501${digits(r, 2)}`),
  HK: market('HK', 'USD', 'us', [['HK', 1]], [['en', 1]], 'Limited', (r) => `+852${r.int(5, 9)}${digits(r, 7)}`),
  QA: market('QA', 'USD', 'us', [['QA', 1]], [['en', 1]], 'W.L.L.', (r) => `+974${r.int(3, 7)}${digits(r, 7)}`),
  KW: market('KW', 'KWD', 'us', [['KW', 1]], [['en', 1]], 'K.S.C.C.', (r) => `+965${r.pick(['5', '6', '9'])}${digits(r, 7)}`),
  GB: market('GB', 'GBP', 'uk', [['GB', 1]], [['en', 1]], 'Ltd', (r) => `+447700900${digits(r, 3)}`),
  IN: market('IN', 'INR', 'in',
    [['IN-MH', 24], ['IN-KA', 18], ['IN-DL', 16], ['IN-TN', 12], ['IN-GJ', 10], ['IN-TG', 8], ['IN-UP', 6], ['IN-WB', 6]],
    [['en', 60], ['hi', 40]], 'Pvt Ltd',
    (r) => `+91${r.int(6, 9)}${digits(r, 9)}`),
  DE: market('DE', 'EUR', 'eu', [['DE', 1]], [['de', 1]], 'GmbH', (r) => `+4915${r.int(1, 9)}${digits(r, 8)}`),
  FR: market('FR', 'EUR', 'eu', [['FR', 1]], [['fr', 1]], 'SAS', (r) => `+33${r.int(6, 7)}${digits(r, 8)}`),
  ES: market('ES', 'EUR', 'eu', [['ES', 1]], [['es', 1]], 'S.L.', (r) => `+346${digits(r, 8)}`),
  IT: market('IT', 'EUR', 'eu', [['IT', 1]], [['en', 1]], 'S.r.l.', (r) => `+393${digits(r, 9)}`),
  NL: market('NL', 'EUR', 'eu', [['NL', 1]], [['en', 1]], 'B.V.', (r) => `+316${digits(r, 8)}`),
  IE: market('IE', 'EUR', 'eu', [['IE', 1]], [['en', 1]], 'Ltd', (r) => `+3538${r.pick(['3', '5', '6', '7', '9'])}${digits(r, 7)}`),
  JP: market('JP', 'JPY', 'jp', [['JP', 1]], [['ja', 1]], 'K.K.', (r) => `+81${r.pick(['70', '80', '90'])}${digits(r, 8)}`),
};

/** Countries per currency, weighted by how many customers each market has. */
// prettier-ignore
export const COUNTRIES_BY_CURRENCY: Readonly<Record<SeedCurrency, WeightedTable<string>>> = {
  USD: new WeightedTable<string>([['US', 92], ['HK', 4], ['QA', 4]]),
  EUR: new WeightedTable<string>([['DE', 32], ['FR', 26], ['ES', 16], ['IT', 12], ['NL', 9], ['IE', 5]]),
  GBP: new WeightedTable<string>([['GB', 1]]),
  INR: new WeightedTable<string>([['IN', 1]]),
  JPY: new WeightedTable<string>([['JP', 1]]),
  KWD: new WeightedTable<string>([['KW', 1]]),
};

export function marketFor(country: string): Market {
  const m = MARKETS[country];
  if (!m) throw new Error(`no seed market for ${country}`);
  return m;
}
