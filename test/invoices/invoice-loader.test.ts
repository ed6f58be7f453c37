import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { createAdHocInvoice } from '../../src/billing/index.ts';
import { createCustomer } from '../../src/customers/index.ts';
import { createInvoiceLoader, getInvoice } from '../../src/invoices/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const clock = { now: () => new Date('2026-11-22T10:00:00Z') };

/** The pool, counting the queries sent through it. */
function countingPool(pool: pg.Pool): { db: pg.Pool; queries: () => number } {
  let n = 0;
  const db = new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === 'query') return (...args: unknown[]) => (n++, (target.query as (...a: unknown[]) => unknown).apply(target, args));
      return Reflect.get(target, prop, receiver);
    },
  });
  return { db, queries: () => n };
}

describe('createInvoiceLoader: concurrent reads by id in one query', () => {
  let db: TestDatabase;
  const ids: number[] = [];
  before(async () => {
    db = await createTestDatabase();
    for (let i = 0; i < 12; i++) {
      const customer = await createCustomer({ db: db.pool }, { name: `Loader ${i}`, email: `loader${i}@example.com`, currency: 'INR', country: 'IN', taxRegion: 'IN-KA', legalEntityId: 'in' });
      const invoice = await createAdHocInvoice({ db: db.pool, clock }, { customerId: customer.id, items: [{ productId: 'P', productName: 'Thing', quantity: 1 + i, price: 1000 }], source: `t:${i}` });
      ids.push(invoice.id);
    }
  });
  after(async () => {
    await db.drop();
  });

  it('answers each caller with its own invoice (repeats and unknown ids included) from one query', async () => {
    const { db: counted, queries } = countingPool(db.pool);
    const loader = createInvoiceLoader(counted);
    const asked = [...ids, ids[0]!, ids[5]!, 999_999, ids[11]!];
    const answers = await Promise.allSettled(asked.map((id) => loader.get(id)));
    assert.equal(queries(), 1);
    for (const [i, answer] of answers.entries()) {
      if (asked[i] === 999_999) {
        assert.equal(answer.status, 'rejected');
        assert.equal((answer as PromiseRejectedResult).reason.code, 'invoice_not_found');
        assert.equal((answer as PromiseRejectedResult).reason.httpStatus, 404);
      } else {
        assert.equal(answer.status, 'fulfilled');
        assert.deepEqual((answer as PromiseFulfilledResult<unknown>).value, await getInvoice(db.pool, asked[i]!));
      }
    }
  });

  it('keeps at most maxInFlight queries and maxBatch ids per query; later callers leave together', async () => {
    const { db: counted, queries } = countingPool(db.pool);
    const loader = createInvoiceLoader(counted, { maxBatch: 5, maxInFlight: 1 });
    const answers = await Promise.all(ids.map((id) => loader.get(id)));
    assert.deepEqual(answers.map((a) => a.id), ids);
    assert.equal(queries(), 3); // 12 ids, 5 per query, one query at a time
    // Sequential callers each get a query: nothing waits for company.
    for (const id of ids.slice(0, 3)) assert.equal((await loader.get(id)).id, id);
    assert.equal(queries(), 6);
  });

  it('a failed query rejects its own callers only', async () => {
    let fail = true;
    const flaky = new Proxy(db.pool, {
      get(target, prop, receiver) {
        if (prop === 'query') {
          return (...args: unknown[]) => {
            if (fail) {
              fail = false;
              return Promise.reject(new Error('connection lost'));
            }
            return (target.query as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    const loader = createInvoiceLoader(flaky);
    const first = await Promise.allSettled([loader.get(ids[0]!), loader.get(ids[1]!)]);
    assert.deepEqual(first.map((r) => r.status), ['rejected', 'rejected']);
    assert.equal((await loader.get(ids[2]!)).id, ids[2]);
  });
});
