/**
 * SQL for customers. Each function returns {text, values} and runs nothing.
 */
import type { Sql } from './deps.ts';

/** camelCase input field → customers column, in COPY/insert order. */
export const CUSTOMER_COLUMNS = {
  externalId: 'external_id',
  name: 'name',
  email: 'email',
  phone: 'phone',
  whatsapp: 'whatsapp',
  currency: 'currency',
  country: 'country',
  taxRegion: 'tax_region',
  locale: 'locale',
  legalEntityId: 'legal_entity_id',
  status: 'status',
  billingAnchorDay: 'billing_anchor_day',
  segment: 'segment',
  collectionMethod: 'collection_method',
  metadata: 'metadata',
} as const;

export type CustomerField = keyof typeof CUSTOMER_COLUMNS;
export const CUSTOMER_FIELDS = Object.keys(CUSTOMER_COLUMNS) as CustomerField[];
const COLUMN_LIST = Object.values(CUSTOMER_COLUMNS);

const RETURNING = `id, external_id, name, email, phone, whatsapp, currency, country, tax_region, locale,
  legal_entity_id, status, billing_anchor_day, segment, collection_method, metadata, created_at`;

export const customersSql = {
  insert: (values: Record<CustomerField, unknown>): Sql => ({
    text: `insert into customers (${COLUMN_LIST.join(', ')})
           values (${COLUMN_LIST.map((_, i) => `$${i + 1}`).join(', ')})
           returning ${RETURNING}`,
    values: CUSTOMER_FIELDS.map((f) => values[f]),
  }),

  /** Only the fields given change; `fields` come from the schema's keys, never from input names. */
  update: (id: number, patch: Partial<Record<CustomerField, unknown>>): Sql => {
    const fields = CUSTOMER_FIELDS.filter((f) => patch[f] !== undefined);
    const sets = fields.map((f, i) => `${CUSTOMER_COLUMNS[f]} = $${i + 2}`);
    return {
      text: `update customers set ${sets.join(', ')} where id = $1 returning ${RETURNING}`,
      values: [id, ...fields.map((f) => patch[f])],
    };
  },

  byId: (id: number, lock: 'update' | 'share' | null = null): Sql => ({
    text: `select ${RETURNING} from customers where id = $1${lock === null ? '' : ` for ${lock}`}`,
    values: [id],
  }),

  byEmail: (email: string): Sql => ({
    text: `select ${RETURNING} from customers where email = $1`,
    values: [email],
  }),

  page: (limit: number, after: number): Sql => ({
    text: `select ${RETURNING} from customers where id > $1 order by id limit $2`,
    values: [after, limit],
  }),

  /** Both references of a customer row at once; null arguments count as present. */
  referencesExist: (taxRegion: string | null, legalEntityId: string | null): Sql => ({
    text: `select ($1::text is null or exists (select 1 from tax_regions where code = $1)) as tax_region_ok,
                  ($2::text is null or exists (select 1 from legal_entities where id = $2)) as legal_entity_ok`,
    values: [taxRegion, legalEntityId],
  }),

  referenceCodes: (): Sql => ({
    text: `select (select coalesce(array_agg(code), '{}') from tax_regions) as tax_regions,
                  (select coalesce(array_agg(id), '{}') from legal_entities) as legal_entities`,
    values: [],
  }),
};

/** Bulk import goes through a staging table: COPY in, check conflicts by line, then insert. */
export const IMPORT_STAGING_TABLE = 'billflow_customer_import';
export const IMPORT_STAGING_COLUMNS = ['line', ...COLUMN_LIST] as const;

export const importSql = {
  createStaging: (): Sql => ({
    text: `create temporary table ${IMPORT_STAGING_TABLE} (
             line bigint not null, external_id text, name text not null, email text, phone text, whatsapp text,
             currency char(3) not null, country char(2) not null, tax_region text, locale text not null,
             legal_entity_id text not null, status text not null, billing_anchor_day smallint not null,
             segment text, collection_method text not null, metadata jsonb) on commit drop`,
    values: [],
  }),

  /**
   * Rows whose email or external id repeats an earlier line of the file or an existing customer,
   * first `limit` by line.
   */
  conflicts: (limit: number): Sql => ({
    text: `select line, field, value, first_line, existing from (
             select s.line, 'email' as field, s.email as value,
                    min(s.line) over (partition by s.email) as first_line,
                    exists (select 1 from customers c where c.email = s.email) as existing
             from ${IMPORT_STAGING_TABLE} s where s.email is not null
             union all
             select s.line, 'externalId', s.external_id,
                    min(s.line) over (partition by s.external_id),
                    exists (select 1 from customers c where c.external_id = s.external_id)
             from ${IMPORT_STAGING_TABLE} s where s.external_id is not null
           ) keyed
           where existing or line > first_line
           order by line, field
           limit $1`,
    values: [limit],
  }),

  analyzeStaging: (): Sql => ({ text: `analyze ${IMPORT_STAGING_TABLE}`, values: [] }),

  insertFromStaging: (): Sql => ({
    text: `insert into customers (${COLUMN_LIST.join(', ')})
           select ${COLUMN_LIST.join(', ')} from ${IMPORT_STAGING_TABLE} order by line`,
    values: [],
  }),
};
