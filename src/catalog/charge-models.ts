/**
 * Prices one charge for one period: ChargeProperties (amounts already in the invoice currency's
 * minor units) × a quantity (units for metered charges, 1 for fixed charges, the metered value in
 * minor units for 'percentage'). The models and their names follow Lago's charge models
 * (standard/graduated/volume/package/percentage); graduated vs volume follow Stripe's tiers_mode.
 *
 * Unit amounts may carry fractions of a minor unit (Lago's volume example prices API calls at
 * $0.0006 = 0.06 cents): they are read as exact decimals and the charge is rounded once, half-even,
 * at the end. Flat amounts are whole minor units. Zero usage costs zero in every quantity-driven
 * model, flat fees of tiers included (Lago: "does not apply the flat amount for 0"); put a base
 * fee in a separate fixed charge.
 */
import { BillflowError } from '../errors.ts';
import type { ChargeProperties, Tier } from '../billing/types.ts';
import { mulDivHalfEven, parseDecimal, percentOfMinor, roundHalfEven, toSafeNumber } from '../money/rounding.ts';

export interface ChargeAmount {
  /** The charge, rounded once; authoritative. */
  amountMinor: number;
  /** For display: the price per unit where the model has one, else round(amount / quantity). */
  unitAmountMinor: number;
  /** For display: what a person needs to recheck the amount ('3 packages of 100 units'). */
  detail?: string;
}

const ZERO: ChargeAmount = Object.freeze({ amountMinor: 0, unitAmountMinor: 0 });

export function chargeAmountMinor(props: ChargeProperties, quantity: number): ChargeAmount {
  if (!Number.isSafeInteger(quantity) || quantity < 0) {
    throw new BillflowError('invalid_quantity', `quantity must be a non-negative integer, got ${quantity}`);
  }
  switch (props.model) {
    case 'flat':
      // A flat fee does not depend on quantity (fixed charges are priced at quantity 1).
      return { amountMinor: wholeMinor(props.amount, 'amount'), unitAmountMinor: props.amount };
    case 'per_unit':
      return perUnit(props.unitAmount, quantity);
    case 'graduated':
      return graduated(props.tiers, quantity);
    case 'volume':
      return volume(props.tiers, quantity);
    case 'package':
      return packaged(props.packageSize, props.amount, props.freeUnits, quantity);
    case 'percentage':
      return percentage(props, quantity);
    default:
      return unknownModel(props);
  }
}

function perUnit(unitAmount: number, quantity: number): ChargeAmount {
  const sum = newSum();
  addUnits(sum, quantity, unitAmount);
  const amountMinor = roundSum(sum);
  return { amountMinor, unitAmountMinor: Number.isInteger(unitAmount) ? unitAmount : average(amountMinor, quantity) };
}

/** Each tier prices its own units; the flat amount of every tier reached is added (Stripe "graduated"). */
function graduated(tiers: readonly Tier[], quantity: number): ChargeAmount {
  checkTiers(tiers);
  if (quantity === 0) return ZERO;
  const sum = newSum();
  let lower = 0; // units already priced by earlier tiers
  for (const tier of tiers) {
    const upper = tier.upTo === null ? quantity : Math.min(tier.upTo, quantity);
    addUnits(sum, upper - lower, tier.unitAmount);
    addFlat(sum, tier.flatAmount);
    lower = upper;
    if (lower >= quantity) break;
  }
  const amountMinor = roundSum(sum);
  return { amountMinor, unitAmountMinor: average(amountMinor, quantity) };
}

/** Every unit at the rate of the tier the total falls in, plus that tier's flat (Stripe "volume"). */
function volume(tiers: readonly Tier[], quantity: number): ChargeAmount {
  checkTiers(tiers);
  if (quantity === 0) return ZERO;
  let index = 0;
  while (index < tiers.length - 1 && quantity > (tiers[index]?.upTo ?? Number.POSITIVE_INFINITY)) index++;
  const tier = tiers[index] as Tier;
  const sum = newSum();
  addUnits(sum, quantity, tier.unitAmount);
  addFlat(sum, tier.flatAmount);
  const amountMinor = roundSum(sum);
  const unitAmountMinor = Number.isInteger(tier.unitAmount) ? tier.unitAmount : average(amountMinor, quantity);
  return { amountMinor, unitAmountMinor, detail: `tier ${index + 1} of ${tiers.length}` };
}

/** ceil((quantity − freeUnits) / packageSize) × amount; a started package is a whole package. */
function packaged(packageSize: number, amount: number, freeUnits: number, quantity: number): ChargeAmount {
  if (!Number.isSafeInteger(packageSize) || packageSize <= 0) invalidPrice(`packageSize must be a positive integer, got ${packageSize}`);
  wholeMinor(amount, 'amount');
  const free = freeUnits ?? 0;
  if (!Number.isSafeInteger(free) || free < 0) invalidPrice(`freeUnits must be a non-negative integer, got ${freeUnits}`);
  const paidUnits = Math.max(0, quantity - free);
  const packages = Math.ceil(paidUnits / packageSize); // exact: both are safe integers
  const amountMinor = safeMul(packages, amount);
  return { amountMinor, unitAmountMinor: amount, detail: `${packages} × ${packageSize} units, ${free} free` };
}

/**
 * rate % of the metered value (itself minor units, e.g. the sum of transaction amounts), plus
 * fixedAmount once when the value is > 0, then clamped to [minAmount, maxAmount]. Zero value
 * costs zero: a minimum is a minimum per use, not a standing fee.
 */
function percentage(props: Extract<ChargeProperties, { model: 'percentage' }>, value: number): ChargeAmount {
  parseDecimal(props.rate); // rejects a malformed rate even when the value is 0
  if (value === 0) return ZERO;
  let amountMinor = percentOfMinor(value, props.rate) + wholeMinor(props.fixedAmount ?? 0, 'fixedAmount');
  if (props.minAmount !== null && props.minAmount !== undefined) amountMinor = Math.max(amountMinor, wholeMinor(props.minAmount, 'minAmount'));
  if (props.maxAmount !== null && props.maxAmount !== undefined) amountMinor = Math.min(amountMinor, wholeMinor(props.maxAmount, 'maxAmount'));
  return { amountMinor, unitAmountMinor: amountMinor, detail: `${props.rate}% of ${value}` };
}

/** Tiers ascend by upTo and only the last is open-ended; anything else is a catalog error. */
function checkTiers(tiers: readonly Tier[]): void {
  if (tiers.length === 0) invalidPrice('tiers must not be empty');
  let previous = 0;
  for (let i = 0; i < tiers.length; i++) {
    const tier = tiers[i] as Tier;
    const last = i === tiers.length - 1;
    if (tier.upTo === null) {
      if (!last) invalidPrice(`tier ${i + 1}: only the last tier may have upTo null`);
    } else {
      if (last) invalidPrice('the last tier must have upTo null');
      if (!Number.isSafeInteger(tier.upTo) || tier.upTo <= previous) invalidPrice(`tier ${i + 1}: upTo must ascend, got ${tier.upTo}`);
      previous = tier.upTo;
    }
  }
}

/** An exact running total: whole minor units plus a decimal fraction of a minor unit. */
interface ExactSum {
  minor: number;
  fractionNum: bigint;
  fractionDen: bigint;
}

function newSum(): ExactSum {
  return { minor: 0, fractionNum: 0n, fractionDen: 1n };
}

function addUnits(sum: ExactSum, units: number, unitAmount: number): void {
  if (Number.isSafeInteger(unitAmount) && unitAmount >= 0) {
    sum.minor = safeAdd(sum.minor, safeMul(units, unitAmount));
    return;
  }
  const price = unitPriceDecimal(unitAmount);
  if (price.den > sum.fractionDen) {
    sum.fractionNum *= price.den / sum.fractionDen;
    sum.fractionDen = price.den;
  }
  sum.fractionNum += BigInt(units) * price.num * (sum.fractionDen / price.den);
}

function addFlat(sum: ExactSum, flatAmount: number): void {
  sum.minor = safeAdd(sum.minor, wholeMinor(flatAmount ?? 0, 'flatAmount'));
}

function roundSum(sum: ExactSum): number {
  if (sum.fractionNum === 0n) return sum.minor;
  return safeAdd(sum.minor, toSafeNumber(roundHalfEven(sum.fractionNum, sum.fractionDen)));
}

/** 0.06 → 6/100, read through the shortest round-trip string, so no binary float error leaks in. */
function unitPriceDecimal(unitAmount: number): { num: bigint; den: bigint } {
  if (!Number.isFinite(unitAmount) || unitAmount < 0) invalidPrice(`unit amount must be a non-negative number, got ${unitAmount}`);
  const text = String(unitAmount);
  if (text.includes('e')) invalidPrice(`unit amount ${text} has too many decimal places`);
  return parseDecimal(text);
}

function wholeMinor(amount: number, field: string): number {
  if (!Number.isSafeInteger(amount) || amount < 0) invalidPrice(`${field} must be a non-negative whole number of minor units, got ${amount}`);
  return amount;
}

function safeAdd(a: number, b: number): number {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new BillflowError('amount_overflow', `charge amount ${a} + ${b} exceeds the safe integer range`);
  return sum;
}

function safeMul(a: number, b: number): number {
  const product = a * b;
  if (!Number.isSafeInteger(product)) throw new BillflowError('amount_overflow', `charge amount ${a} × ${b} exceeds the safe integer range`);
  return product;
}

function average(amountMinor: number, quantity: number): number {
  return quantity === 0 ? 0 : mulDivHalfEven(amountMinor, 1, quantity);
}

function invalidPrice(message: string): never {
  throw new BillflowError('invalid_price', `invalid charge properties: ${message}`);
}

function unknownModel(props: never): never {
  throw new BillflowError('invalid_price', `unknown charge model ${JSON.stringify((props as { model: unknown }).model)}`);
}
