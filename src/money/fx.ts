/**
 * Currency conversion of minor units. A rate row says how many units of `quote` one unit of
 * `base` buys (major units, as in the fx_rates table and as banks quote "EUR/USD 1.0850"), from
 * `effectiveFrom` until the next row of the same pair. Conversion rounds once, half-even, at the
 * end: rounding an intermediate major amount would lose the minor digits of 3-decimal currencies.
 */
import { BillflowError } from '../errors.ts';
import type { IsoDate } from '../billing/types.ts';
import { exponentOf } from './currencies.ts';
import { mulDivHalfEven, parseDecimal } from './rounding.ts';

export interface FxRate {
  base: string;
  quote: string;
  effectiveFrom: IsoDate;
  rate: string; // decimal string, > 0
}

/** Rows grouped by pair and sorted by date, for callers that convert many amounts. */
export interface FxTable {
  readonly byPair: ReadonlyMap<string, readonly FxRate[]>;
}

export function indexFxRates(rates: readonly FxRate[]): FxTable {
  const byPair = new Map<string, FxRate[]>();
  for (const row of rates) {
    const key = pairKey(row.base, row.quote);
    const rows = byPair.get(key);
    if (rows === undefined) byPair.set(key, [row]);
    else rows.push(row);
  }
  for (const rows of byPair.values()) rows.sort((a, b) => compareDates(a.effectiveFrom, b.effectiveFrom));
  return { byPair };
}

/**
 * Converts amountMinor of `from` into minor units of `to` at the rate in force on `on`: the
 * latest row of the pair effective on or before that day; if the pair has none, the latest row of
 * the opposite pair, inverted exactly (1 / rate as a fraction, not a rounded decimal).
 *
 * amountTo = amountFrom × rate × 10^exp(to) / 10^exp(from); e.g. 1000 JPY at USD/JPY 150 →
 * 1000 × 1/150 × 100 / 1 = 666.67 → 667 US cents.
 */
export function convertMinor(
  amountMinor: number,
  from: string,
  to: string,
  on: IsoDate,
  rates: readonly FxRate[] | FxTable,
): number {
  const fromExponent = exponentOf(from);
  const toExponent = exponentOf(to);
  if (from === to) return amountMinor;
  const direct = latestRate(rates, from, to, on);
  const inverse = direct === undefined ? latestRate(rates, to, from, on) : undefined;
  const row = direct ?? inverse;
  if (row === undefined) {
    throw new BillflowError('fx_rate_missing', `no FX rate ${from}→${to} (or ${to}→${from}) effective on or before ${on}`, {
      details: [{ field: 'fxRates', message: `missing ${from}/${to} on ${on}` }],
    });
  }
  const rate = parseDecimal(row.rate);
  if (rate.num === 0n) {
    throw new BillflowError('fx_rate_invalid', `FX rate ${row.base}/${row.quote} from ${row.effectiveFrom} is zero`);
  }
  const [rateNum, rateDen] = direct !== undefined ? [rate.num, rate.den] : [rate.den, rate.num];
  const scaleUp = 10n ** BigInt(Math.max(0, toExponent - fromExponent));
  const scaleDown = 10n ** BigInt(Math.max(0, fromExponent - toExponent));
  return mulDivHalfEven(amountMinor, rateNum * scaleUp, rateDen * scaleDown);
}

function latestRate(rates: readonly FxRate[] | FxTable, base: string, quote: string, on: IsoDate): FxRate | undefined {
  if (isTable(rates)) {
    const rows = rates.byPair.get(pairKey(base, quote));
    if (rows === undefined) return undefined;
    for (let i = rows.length - 1; i >= 0; i--) {
      const row = rows[i];
      if (row !== undefined && row.effectiveFrom <= on) return row;
    }
    return undefined;
  }
  let best: FxRate | undefined;
  for (const row of rates) {
    if (row.base !== base || row.quote !== quote || row.effectiveFrom > on) continue;
    if (best === undefined || row.effectiveFrom > best.effectiveFrom) best = row;
  }
  return best;
}

function isTable(rates: readonly FxRate[] | FxTable): rates is FxTable {
  return !Array.isArray(rates);
}

function pairKey(base: string, quote: string): string {
  return `${base}/${quote}`;
}

// ISO dates compare correctly as strings ('2026-01-31' < '2026-02-01').
function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
