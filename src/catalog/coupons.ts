/**
 * Coupons (a percentage or a fixed amount off, for some periods or forever) and applying one
 * to a customer from a given period start.
 */
import type pg from 'pg';
import type { CouponInfo, IsoDate } from '../billing/types.ts';
import {
  conflict,
  inTransaction,
  invalidInputError,
  lockCustomer,
  notFound,
  parseInput,
  run,
  textIdSchema,
  translateConstraint,
  type Deps,
} from '../customers/index.ts';
import { couponSql } from './catalog-sql.ts';
import {
  applyCouponSchema,
  createCouponSchema,
  listPlansSchema,
  type ApplyCouponInput,
  type CreateCouponInput,
  type ListPlansInput,
} from './schemas.ts';

export type Coupon = CouponInfo;

export interface AppliedCoupon {
  customerId: number;
  couponId: string;
  appliedFrom: IsoDate;
}

interface CouponRow {
  id: string;
  name: string;
  kind: 'percentage' | 'fixed';
  percent: string | null;
  amount_minor: number | null;
  currency: string | null;
  duration_periods: number | null;
}

function rowToCoupon(row: CouponRow): Coupon {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    percent: row.percent,
    amountMinor: row.amount_minor,
    currency: row.currency,
    durationPeriods: row.duration_periods,
  };
}

export async function createCoupon(deps: Deps, input: CreateCouponInput): Promise<Coupon> {
  const coupon = parseInput(createCouponSchema, input);
  const sql = couponSql.insert({
    id: coupon.id,
    name: coupon.name,
    kind: coupon.kind,
    percent: coupon.kind === 'percentage' ? coupon.percent : null,
    amountMinor: coupon.kind === 'fixed' ? coupon.amountMinor : null,
    currency: coupon.kind === 'fixed' ? coupon.currency : null,
    durationPeriods: coupon.durationPeriods ?? null,
  });
  return inTransaction(
    deps.db,
    async (client) => rowToCoupon((await run<CouponRow>(client, sql)).rows[0]!),
    translateConstraint({ coupons_pkey: () => conflict('id', `a coupon with id '${coupon.id}' already exists`) }),
  );
}

/**
 * Unknown customer or coupon → 404; a fixed coupon in another currency than the customer's →
 * invalid_input (it could never be deducted); the same coupon twice → 409.
 */
export async function applyCoupon(deps: Deps, input: ApplyCouponInput): Promise<AppliedCoupon> {
  const { customerId, couponId, appliedFrom } = parseInput(applyCouponSchema, input);
  return inTransaction(
    deps.db,
    async (client) => {
      const customer = await lockCustomer(client, customerId);
      const row = (await run<CouponRow>(client, couponSql.byId(couponId))).rows[0];
      if (row === undefined) throw notFound('coupon', [{ field: 'couponId', message: `no coupon '${couponId}'` }]);
      if (row.kind === 'fixed' && row.currency !== customer.currency) {
        throw invalidInputError([
          { field: 'couponId', message: `a ${row.currency} coupon cannot discount a ${customer.currency} customer` },
        ]);
      }
      const applied = (await run<{ customer_id: number; coupon_id: string; applied_from: string }>(
        client,
        couponSql.apply(customerId, couponId, appliedFrom),
      )).rows[0]!;
      return { customerId: applied.customer_id, couponId: applied.coupon_id, appliedFrom: applied.applied_from };
    },
    translateConstraint({
      customer_coupons_pkey: () => conflict('couponId', `coupon '${couponId}' is already applied to customer ${customerId}`),
    }),
  );
}

export async function getCoupon(db: pg.Pool, couponId: string): Promise<Coupon> {
  const id = parseInput(textIdSchema, couponId, ['couponId']);
  const row = (await run<CouponRow>(db, couponSql.byId(id))).rows[0];
  if (row === undefined) throw notFound('coupon', [{ field: 'couponId', message: `no coupon '${id}'` }]);
  return rowToCoupon(row);
}

/** Coupons by id with a cursor (the same paging as plans): `nextAfter` continues, null at the end. */
export async function listCoupons(db: pg.Pool, input: ListPlansInput = {}): Promise<{ coupons: Coupon[]; nextAfter: string | null }> {
  const { limit, after } = parseInput(listPlansSchema, input);
  const coupons = (await run<CouponRow>(db, couponSql.page(limit, after ?? null))).rows.map(rowToCoupon);
  const last = coupons[coupons.length - 1];
  return { coupons, nextAfter: coupons.length === limit && last !== undefined ? last.id : null };
}
