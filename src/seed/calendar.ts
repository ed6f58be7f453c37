/**
 * The seed generator's date helpers: UTC day numbers (days since 1970-01-01), so per-row date
 * math is integer addition, on top of billing/calendar.ts — windows are exactly the billing
 * windows (billflow_window_start semantics: [anchor day of the period's month, clamped to its
 * length; the same for the next month)).
 */
import {
  billingWindow as isoBillingWindow,
  fromDayNumber,
  parsePeriod as parseIsoPeriod,
  periodOf,
  toDayNumber,
  windowStart,
} from '../billing/calendar.ts';

export interface Period {
  year: number;
  month: number; // 1..12
}

/** 'YYYY-MM' → Period; throws invalid_period (BillflowError) otherwise. */
export function parsePeriod(period: string): Period {
  return parseIsoPeriod(period);
}

export function formatPeriod(p: Period): string {
  return `${p.year}-${String(p.month).padStart(2, '0')}`;
}

/** The current calendar month in UTC, e.g. '2026-11'. */
export function currentPeriod(now: Date = new Date()): string {
  return periodOf(now.toISOString().slice(0, 10));
}

export function addMonthsToPeriod(p: Period, months: number): Period {
  const index = p.year * 12 + (p.month - 1) + months;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** Day number of `day` in the period's month, clamped to the month's last day. */
export function clampedDay(p: Period, day: number): number {
  return toDayNumber(windowStart(formatPeriod(p), day));
}

export interface BillingWindow {
  startDay: number; // inclusive
  endDay: number; // exclusive
}

export function billingWindow(p: Period, anchorDay: number): BillingWindow {
  const w = isoBillingWindow(formatPeriod(p), anchorDay);
  return { startDay: toDayNumber(w.start), endDay: toDayNumber(w.end) };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Formats day numbers for COPY: 'YYYY-MM-DD', and timestamps in UTC. */
export class DayFormatter {
  format(day: number): string {
    return fromDayNumber(day); // cached in billing/calendar
  }

  /** 'YYYY-MM-DD HH:MM:SS+00' for a day number plus seconds into that day. */
  timestamp(day: number, secondOfDay: number): string {
    const h = Math.floor(secondOfDay / 3600);
    const m = Math.floor((secondOfDay % 3600) / 60);
    const s = secondOfDay % 60;
    return `${fromDayNumber(day)} ${pad2(h)}:${pad2(m)}:${pad2(s)}+00`;
  }
}
