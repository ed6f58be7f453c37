/**
 * One seeded customer: identity (name, e-mail, phones, market) and the segment-specific rows
 * (subscriptions and usage, a loan, retail orders, a utility meter). Everything a customer gets
 * comes from its own generator Rng.forKey(seed, customer id), so the dataset is a pure function
 * of (seed, first id, count, period).
 */
import type { SeedCurrency } from './catalog.ts';
import { COUNTRIES_BY_CURRENCY, type Market, marketFor } from './geography.ts';
import { generateLender } from './lender.ts';
import { COMPANY_WORDS, COMPANY_WORD_SLUGS } from './names.ts';
import { Rng, WeightedTable } from './prng.ts';
import { generateRetail } from './retail.ts';
import { type GenContext, windowFor } from './rows.ts';
import { generateSaas, generateUtility } from './subscribers.ts';

export type Segment = 'saas' | 'lender' | 'retail' | 'utility';

export const SEGMENTS = new WeightedTable<Segment>([['saas', 40], ['lender', 30], ['retail', 15], ['utility', 15]]);

// prettier-ignore
export const CURRENCIES_BY_SEGMENT: Readonly<Record<Segment, WeightedTable<SeedCurrency>>> = {
  saas: new WeightedTable<SeedCurrency>([['USD', 40], ['EUR', 25], ['GBP', 10], ['INR', 12], ['JPY', 8], ['KWD', 5]]),
  lender: new WeightedTable<SeedCurrency>([['INR', 60], ['USD', 18], ['EUR', 10], ['GBP', 7], ['JPY', 5]]),
  retail: new WeightedTable<SeedCurrency>([['USD', 30], ['EUR', 25], ['INR', 25], ['GBP', 10], ['JPY', 10]]),
  utility: new WeightedTable<SeedCurrency>([['INR', 30], ['USD', 25], ['EUR', 25], ['GBP', 10], ['JPY', 10]]),
};

/** ~0.1% of customers have no tax region, so billing validation has something to quarantine. */
export const MISSING_TAX_REGION_SHARE = 0.001;
const OTHER_ANCHOR_DAYS = [5, 10, 15, 20, 25, 28, 31];
const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org'];

/** What the segment generators need to know about the customer they fill in. */
export interface CustomerFacts {
  id: number;
  rng: Rng;
  market: Market;
  currency: SeedCurrency;
  anchorDay: number;
  /** Earliest day the customer's rows refer to; the signup timestamp is on or before it. */
  earliestDay: number;
}

function personName(rng: Rng, market: Market, locale: string): { name: string; local: string } {
  const given = rng.pick(market.names.given);
  const family = rng.pick(market.names.family);
  const native = locale === 'hi' || locale === 'ja';
  const name = !native
    ? `${given.display} ${family.display}`
    : market.names.familyFirstNative
      ? `${family.native} ${given.native}`
      : `${given.native} ${family.native}`;
  return { name, local: `${given.ascii}.${family.ascii}` };
}

function companyName(rng: Rng, market: Market): { name: string; local: string } {
  const family = rng.pick(market.names.family);
  const w = rng.int(0, COMPANY_WORDS.length - 1);
  return {
    name: `${family.display} ${COMPANY_WORDS[w]} ${market.companySuffix}`,
    local: `billing.${family.ascii}-${COMPANY_WORD_SLUGS[w]}`,
  };
}

const SEND_INVOICE_LENDER_SHARE = 0.2;

function anchorDayFor(rng: Rng, segment: Segment): number {
  // Lenders bill on the 1st; the rest mostly on the 1st, some on their signup day of month.
  if (segment === 'lender') return 1;
  return rng.chance(0.8) ? 1 : rng.pick(OTHER_ANCHOR_DAYS);
}

/** Appends the customer's rows to ctx.rows and updates the tallies. */
export function generateCustomer(ctx: GenContext, id: number): void {
  const rng = Rng.forKey(ctx.seed, id);
  const segment = SEGMENTS.pick(rng);
  const currency = CURRENCIES_BY_SEGMENT[segment].pick(rng);
  const market = marketFor(COUNTRIES_BY_CURRENCY[currency].pick(rng));
  const taxRegion = rng.chance(MISSING_TAX_REGION_SHARE) ? null : market.regions.pick(rng);
  const locale = market.locales.pick(rng);
  const anchorDay = anchorDayFor(rng, segment);
  const business = segment === 'saas' || (segment === 'utility' && rng.chance(0.25));
  const who = business ? companyName(rng, market) : personName(rng, market, locale);
  const phone = market.phone(rng);
  const whatsappRoll = rng.float();
  const whatsapp = whatsappRoll < 0.65 ? phone : whatsappRoll < 0.8 ? market.phone(rng) : null;
  const email = `${who.local}.${ctx.seed}.${id}@${rng.pick(EMAIL_DOMAINS)}`;

  const facts: CustomerFacts = { id, rng, market, currency, anchorDay, earliestDay: windowFor(ctx, anchorDay).startDay };
  let lines: number;
  if (segment === 'saas') lines = generateSaas(ctx, facts);
  else if (segment === 'lender') lines = generateLender(ctx, facts);
  else if (segment === 'retail') lines = generateRetail(ctx, facts);
  else lines = generateUtility(ctx, facts, business);

  const signupDay = facts.earliestDay - rng.int(0, 20);
  const createdAt = ctx.days.timestamp(signupDay, rng.int(0, 86_399));
  // A fifth of borrowers pay their EMIs themselves (bank transfer, UPI): never charged, settled by
  // repayments. Drawn last, so the rest of the customer is the same as before this column.
  const collectionMethod = segment === 'lender' && rng.chance(SEND_INVOICE_LENDER_SHARE) ? 'send_invoice' : 'charge_automatically';
  // external_id is zero-padded so that consecutive customers also sort in order (right-edge
  // b-tree inserts in incremental mode).
  ctx.rows.customers.push([
    id, `seed-${ctx.seed}-${String(id).padStart(10, '0')}`, who.name, email, phone, whatsapp, currency, market.country, taxRegion, locale,
    market.entityId, 'active', anchorDay, segment, createdAt, collectionMethod,
  ]);
  const t = ctx.tallies;
  t.bySegment[segment] = (t.bySegment[segment] ?? 0) + 1;
  t.byCurrency[currency] = (t.byCurrency[currency] ?? 0) + 1;
  if (lines > 0) {
    t.billedCustomers++;
    t.expectedLines += lines;
  }
}
