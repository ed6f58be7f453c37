/**
 * Day-based proration ("calendar" proration, as Kill Bill and Lago do it): a fixed charge for a
 * window is paid in proportion to the days the subscription was billable inside it,
 *
 *   amountMinor × activeDays / windowDays, rounded half-even once per line.
 *
 * Days are whole UTC calendar days and every interval is half-open [start, end), so a plan
 * change on day D ends the old subscription at D and starts the new one at D with no day
 * counted twice or lost. See docs/proration-and-loans.md for the worked examples.
 */
import { addDays, toDayNumber } from '../billing/calendar.ts';
import type { DateWindow } from '../billing/calendar.ts';
import type { IsoDate } from '../billing/types.ts';
import { assert } from '../errors.ts';
import { mulDivHalfEven } from '../money/rounding.ts';

export interface ActiveInterval {
  start: IsoDate; // inclusive
  end: IsoDate; // exclusive
  days: number;
}

export interface ProratedSubscription {
  startedOn: IsoDate;
  trialEndsOn: IsoDate | null; // first paid day; null = no trial
  endedOn: IsoDate | null; // exclusive; null = still running
}

/**
 * The paid days of `sub` inside `window`: from the latest of the window start, the start and the
 * first paid day after a trial, to the earliest of the window end and the end date. Null when
 * that is empty (not started yet, ended before the window, or still in trial all window long).
 * Returns the caller's own date strings, so nothing is formatted on this hot path.
 */
export function activeInterval(window: DateWindow, sub: ProratedSubscription): ActiveInterval | null {
  let start = window.start;
  let startDay = toDayNumber(start);
  const startedDay = toDayNumber(sub.startedOn);
  if (startedDay > startDay) {
    start = sub.startedOn;
    startDay = startedDay;
  }
  if (sub.trialEndsOn !== null) {
    const paidFromDay = toDayNumber(sub.trialEndsOn);
    if (paidFromDay > startDay) {
      start = sub.trialEndsOn;
      startDay = paidFromDay;
    }
  }
  let end = window.end;
  let endDay = toDayNumber(end);
  if (sub.endedOn !== null) {
    const endedDay = toDayNumber(sub.endedOn);
    if (endedDay < endDay) {
      end = sub.endedOn;
      endDay = endedDay;
    }
  }
  return endDay > startDay ? { start, end, days: endDay - startDay } : null;
}

/**
 * round(amountMinor × activeDays / windowDays), half-even, exact: mulDivHalfEven works in
 * Numbers while the product is a safe integer and in BigInt beyond. A full window returns the
 * amount untouched, so an unprorated line can never pick up a rounding difference.
 */
export function prorateMinor(amountMinor: number, activeDays: number, windowDays: number): number {
  assert(Number.isSafeInteger(amountMinor), `prorateMinor: amount ${amountMinor} is not a safe integer`);
  assert(Number.isInteger(windowDays) && windowDays > 0, `prorateMinor: window of ${windowDays} days`);
  assert(
    Number.isInteger(activeDays) && activeDays >= 0 && activeDays <= windowDays,
    `prorateMinor: ${activeDays} active days in a ${windowDays}-day window`,
  );
  if (activeDays === windowDays) return amountMinor;
  if (activeDays === 0) return 0;
  return mulDivHalfEven(amountMinor, activeDays, windowDays);
}

/**
 * The first paid day of a subscription with a `trialDays`-day free trial, or null without one
 * (the subscriptions.trial_ends_on convention). A 14-day trial from 2026-11-05 covers the 5th
 * to the 18th, and the 19th is the first paid day.
 */
export function trialEndsOn(startedOn: IsoDate, trialDays: number): IsoDate | null {
  assert(Number.isInteger(trialDays) && trialDays >= 0, `trialEndsOn: ${trialDays} trial days`);
  if (trialDays > 0) return addDays(startedOn, trialDays);
  toDayNumber(startedOn); // a bad date is rejected with or without a trial
  return null;
}
