/**
 * Zod schemas for the price properties of a plan charge, one per charge model, in exactly the
 * ChargeProperties shapes of src/billing/types.ts (what charge-models.ts prices). Amounts are
 * minor units of the price's currency. Validating here means a bad tier table is refused when
 * the plan is written, not discovered by a billing run months later.
 */
import { z } from 'zod';
import type { ChargeProperties } from '../billing/types.ts';
import { amountMinorSchema, percentStringSchema } from '../customers/index.ts';

export const CHARGE_MODELS = ['flat', 'per_unit', 'graduated', 'volume', 'package', 'percentage'] as const;
export type ChargeModel = (typeof CHARGE_MODELS)[number];

const MAX_TIERS = 50;
const MAX_UNIT_DECIMALS = 6;

/**
 * Minor units per unit; may carry a fraction of a minor unit ($0.0006 per call = 0.06 cents),
 * at most 6 decimals and never in exponent notation (charge-models reads it as a decimal).
 */
export const unitAmountSchema = z
  .number({ error: 'expected a number of minor units' })
  .min(0, { error: 'must be ≥ 0' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'too large' })
  .refine((n) => /^\d+(\.\d{1,6})?$/.test(String(n)), {
    error: `at most ${MAX_UNIT_DECIMALS} decimal places of a minor unit`,
  });

export const tierSchema = z.strictObject({
  /** Inclusive upper bound of units; null on (only) the last tier. */
  upTo: z.int().min(1, { error: 'must be ≥ 1' }).nullable(),
  unitAmount: unitAmountSchema,
  flatAmount: amountMinorSchema.default(0),
});

export const tiersSchema = z
  .array(tierSchema)
  .min(1, { error: 'at least one tier' })
  .max(MAX_TIERS, { error: `at most ${MAX_TIERS} tiers` })
  .superRefine((tiers, ctx) => {
    let previous = 0;
    tiers.forEach((tier, i) => {
      const last = i === tiers.length - 1;
      if (tier.upTo === null) {
        if (!last) ctx.addIssue({ code: 'custom', path: [i, 'upTo'], message: 'only the last tier may have upTo null' });
        return;
      }
      if (last) ctx.addIssue({ code: 'custom', path: [i, 'upTo'], message: 'the last tier must have upTo null' });
      if (tier.upTo <= previous) {
        ctx.addIssue({ code: 'custom', path: [i, 'upTo'], message: `must be greater than the previous tier's upTo (${previous})` });
      }
      previous = tier.upTo;
    });
  });

function modelField<M extends ChargeModel>(model: M) {
  return z.literal(model, { error: `must be '${model}' (the charge's chargeModel) or omitted` }).optional();
}

export const flatPropertiesSchema = z.strictObject({ model: modelField('flat'), amount: amountMinorSchema });
export const perUnitPropertiesSchema = z.strictObject({ model: modelField('per_unit'), unitAmount: unitAmountSchema });
export const graduatedPropertiesSchema = z.strictObject({ model: modelField('graduated'), tiers: tiersSchema });
export const volumePropertiesSchema = z.strictObject({ model: modelField('volume'), tiers: tiersSchema });
export const packagePropertiesSchema = z.strictObject({
  model: modelField('package'),
  packageSize: z.int().min(1, { error: 'must be ≥ 1' }),
  amount: amountMinorSchema,
  freeUnits: z.int().min(0, { error: 'must be ≥ 0' }).default(0),
});
export const percentagePropertiesSchema = z
  .strictObject({
    model: modelField('percentage'),
    rate: percentStringSchema,
    fixedAmount: amountMinorSchema.default(0),
    minAmount: amountMinorSchema.nullable().default(null),
    maxAmount: amountMinorSchema.nullable().default(null),
  })
  .refine((p) => p.minAmount === null || p.maxAmount === null || p.minAmount <= p.maxAmount, {
    path: ['maxAmount'],
    error: 'must be ≥ minAmount',
  });

export const chargePropertiesSchemas = {
  flat: flatPropertiesSchema,
  per_unit: perUnitPropertiesSchema,
  graduated: graduatedPropertiesSchema,
  volume: volumePropertiesSchema,
  package: packagePropertiesSchema,
  percentage: percentagePropertiesSchema,
} as const;

/** Validated properties (with or without `model`) → the stored ChargeProperties, model first. */
export function toChargeProperties(model: ChargeModel, properties: Record<string, unknown>): ChargeProperties {
  return { ...properties, model } as ChargeProperties;
}
