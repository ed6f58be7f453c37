/**
 * Customer input schemas, exported for the HTTP API (request validation and OpenAPI). Whether a
 * tax region or legal entity exists is checked against the database afterwards (customers.ts).
 */
import { z } from 'zod';
import { currencyCodeSchema, isoDateSchema, makeNameSchema, pageLimitSchema, recordIdSchema } from './validation.ts';

export const emailSchema = z
  .string()
  .max(254, { error: 'at most 254 characters' })
  .trim()
  .toLowerCase()
  .check(z.email({ error: 'expected an e-mail address' }));

/** E.164-ish: 6–15 digits with an optional leading '+'; no spaces or punctuation. */
export const phoneSchema = z
  .string()
  .regex(/^\+?\d{6,15}$/, { error: "expected 6–15 digits with an optional leading '+', e.g. +919812345678" });

export const countryCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, { error: 'expected a 2-letter country code (ISO 3166-1 alpha-2)' });

const LOCALE_PATTERN = /^([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|\d{3}))?$/;

/** 'fr-fr' → 'fr-FR', 'ZH-hant-tw' → 'zh-Hant-TW': BCP 47's canonical letter case. */
function canonicalLocale(tag: string): string {
  const match = LOCALE_PATTERN.exec(tag);
  if (match === null) return tag;
  const [, language = '', script, region] = match;
  let out = language.toLowerCase();
  if (script !== undefined) out += `-${script[0]!.toUpperCase()}${script.slice(1).toLowerCase()}`;
  if (region !== undefined) out += `-${region.toUpperCase()}`;
  return out;
}

/** BCP 47 language[-Script][-REGION]: 'en', 'hi', 'fr-FR', 'zh-Hant-TW', 'es-419'. */
export const localeSchema = z
  .string()
  .trim()
  .regex(LOCALE_PATTERN, { error: "expected a BCP 47 language tag such as 'en', 'hi' or 'fr-FR'" })
  .overwrite(canonicalLocale);

export const customerStatusSchema = z.enum(['active', 'suspended', 'closed']);

/**
 * How the customer's invoices are paid: charged through the payment provider
 * (charge_automatically), or paid by the customer themselves — bank transfer, UPI — and settled by
 * repayments (send_invoice; the collector never charges them).
 */
export const COLLECTION_METHODS = ['charge_automatically', 'send_invoice'] as const;
export const collectionMethodSchema = z.enum(COLLECTION_METHODS);
export type CollectionMethod = (typeof COLLECTION_METHODS)[number];

const METADATA_MAX_BYTES = 16_384;

/** Free-form JSON object, ≤ 16 KB once encoded. */
export const metadataSchema = z
  .record(z.string().max(100, { error: 'keys: at most 100 characters' }), z.json())
  .refine((value) => JSON.stringify(value).length <= METADATA_MAX_BYTES, {
    error: `at most ${METADATA_MAX_BYTES} bytes of JSON`,
  });

const fields = {
  name: makeNameSchema(200),
  email: emailSchema.nullable(),
  phone: phoneSchema.nullable(),
  whatsapp: phoneSchema.nullable(),
  currency: currencyCodeSchema,
  country: countryCodeSchema,
  taxRegion: z.string().trim().min(1).max(20, { error: 'at most 20 characters' }).nullable(),
  locale: localeSchema,
  legalEntityId: z.string().trim().min(1).max(50, { error: 'at most 50 characters' }),
  billingAnchorDay: z.int().min(1, { error: 'must be 1–31' }).max(31, { error: 'must be 1–31' }),
  externalId: z.string().trim().min(1, { error: 'must not be empty' }).max(200, { error: 'at most 200 characters' }).nullable(),
  segment: makeNameSchema(50).nullable(),
  metadata: metadataSchema.nullable(),
  status: customerStatusSchema,
  collectionMethod: collectionMethodSchema,
};

export const createCustomerSchema = z.strictObject({
  name: fields.name,
  email: fields.email.optional(),
  phone: fields.phone.optional(),
  whatsapp: fields.whatsapp.optional(),
  currency: fields.currency,
  country: fields.country,
  taxRegion: fields.taxRegion.optional(),
  locale: fields.locale.default('en'),
  legalEntityId: fields.legalEntityId,
  billingAnchorDay: fields.billingAnchorDay.default(1),
  externalId: fields.externalId.optional(),
  segment: fields.segment.optional(),
  metadata: fields.metadata.optional(),
  status: fields.status.default('active'),
  collectionMethod: fields.collectionMethod.default('charge_automatically'),
});
export type CreateCustomerInput = z.input<typeof createCustomerSchema>;
export type CreateCustomerValues = z.output<typeof createCustomerSchema>;

/** PATCH semantics: only the fields present change; nullable fields may be cleared with null. */
export const updateCustomerSchema = z.strictObject({
  name: fields.name.optional(),
  email: fields.email.optional(),
  phone: fields.phone.optional(),
  whatsapp: fields.whatsapp.optional(),
  currency: fields.currency.optional(),
  country: fields.country.optional(),
  taxRegion: fields.taxRegion.optional(),
  locale: fields.locale.optional(),
  legalEntityId: fields.legalEntityId.optional(),
  billingAnchorDay: fields.billingAnchorDay.optional(),
  externalId: fields.externalId.optional(),
  segment: fields.segment.optional(),
  metadata: fields.metadata.optional(),
  status: fields.status.optional(),
  collectionMethod: fields.collectionMethod.optional(),
});
export type UpdateCustomerInput = z.input<typeof updateCustomerSchema>;

export const listCustomersSchema = z.strictObject({
  limit: pageLimitSchema,
  /** Cursor: the last id of the previous page. */
  after: recordIdSchema.optional(),
});
export type ListCustomersInput = z.input<typeof listCustomersSchema>;

/** The compatibility shape of POST /api/v1/user/register. */
export const registerUserSchema = z.strictObject({
  // 3 × 64 + 2 spaces stays within a customer name's 200 characters.
  firstname: makeNameSchema(64),
  middlename: z.string().trim().max(64, { error: 'at most 64 characters' }).optional(),
  lastname: makeNameSchema(64),
  email: emailSchema,
  mobile: phoneSchema,
  dob: isoDateSchema.optional(),
});
export type RegisterUserInput = z.input<typeof registerUserSchema>;

/** What registerUser fills in that the register shape does not carry (a deployment setting). */
export const customerDefaultsSchema = z.strictObject({
  currency: fields.currency,
  country: fields.country,
  taxRegion: fields.taxRegion.optional(),
  legalEntityId: fields.legalEntityId,
  locale: fields.locale.default('en'),
});
export type CustomerDefaults = z.input<typeof customerDefaultsSchema>;
