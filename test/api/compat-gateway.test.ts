import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allRowCounts, startTestApi, type TestApi } from './support.ts';

// The two requests exactly as the gateway's README documents them, byte for byte.
const REGISTER_BODY = `{
        "firstname": "John",
        "middlename": "",
        "lastname": "Doe",
        "email": "john.doe@example.com",
        "mobile": "0123456789"
      }`;
const GENBILL_BODY = `{
      "userId": "john.doe@example.com",
      "items": [
        {
          "productId": "AD234",
          "quantity": 1,
          "price": 899,
          "productName": "Premium T-Shirt"
        }
      ]
    }`;
const json = { 'content-type': 'application/json' };

describe('compatible gateway endpoints: register and genBill', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api.close();
  });

  it('registers the documented example and answers with the customer id', async () => {
    const response = await api.request('POST', '/api/v1/user/register', { raw: REGISTER_BODY, headers: json });
    assert.equal(response.status, 201, response.text);
    assert.equal(typeof response.json.id, 'number');
    assert.equal(response.json.userId, response.json.id);
    assert.equal(response.json.name, 'John Doe');
    const row = (await api.db.pool.query('select name, email, phone, currency, country, tax_region, legal_entity_id from customers where id = $1', [response.json.id])).rows[0];
    assert.deepEqual(row, {
      name: 'John Doe', email: 'john.doe@example.com', phone: '0123456789', currency: 'INR', country: 'IN', tax_region: 'IN-MH', legal_entity_id: 'in',
    });
  });

  it('refuses a second registration of the same e-mail with 409 naming email', async () => {
    const response = await api.request('POST', '/api/v1/user/register', { raw: REGISTER_BODY, headers: json });
    assert.equal(response.status, 409);
    assert.equal(response.json.code, 'conflict');
    assert.deepEqual(response.json.details.map((d: { field: string }) => d.field), ['email']);
  });

  it('bills the documented genBill example: a numbered, taxed, persisted invoice', async () => {
    const response = await api.request('POST', '/api/v1/bill/genBill', { raw: GENBILL_BODY, headers: json });
    assert.equal(response.status, 201, response.text);
    const bill = response.json;
    assert.match(bill.number, /^BFIN-2026-\d{6}$/);
    // Maharashtra customer, Maharashtra entity: CGST 9% + SGST 9% on 899.00.
    assert.deepEqual([bill.subtotal, bill.tax, bill.total, bill.currency], ['899.00', '161.82', '1060.82', 'INR']);
    assert.deepEqual([bill.status, bill.paymentStatus, bill.period, bill.issueDate], ['issued', 'pending', '2026-11', '2026-11-22']);
    const stored = (await api.db.pool.query('select number, total_minor from invoices where id = $1', [bill.id])).rows[0];
    assert.deepEqual(stored, { number: bill.number, total_minor: 106082 });
    const lines = await api.request('GET', `/api/v1/invoices/${bill.id}/lines`);
    assert.equal(lines.json.lines.length, 1);
    assert.equal(lines.json.lines[0].description.includes('Premium T-Shirt'), true);
    const event = await api.db.pool.query(`select count(*)::int as n from outbox_events where topic = 'invoice.issued' and aggregate_id = $1`, [bill.id]);
    assert.equal(event.rows[0].n, 1);
  });

  it('accepts the customer id as userId, as a number or a string; without Idempotency-Key every call bills anew', async () => {
    const id = (await api.db.pool.query(`select id from customers where email = 'john.doe@example.com'`)).rows[0].id;
    const items = [{ productId: 'X1', quantity: 2, price: '10.50', productName: 'Socks' }];
    const a = await api.request('POST', '/api/v1/bill/genBill', { body: { userId: id, items } });
    const b = await api.request('POST', '/api/v1/bill/genBill', { body: { userId: String(id), items } });
    assert.equal(a.status, 201, a.text);
    assert.equal(b.status, 201, b.text);
    assert.notEqual(a.json.number, b.json.number);
    assert.equal(a.json.subtotalMinor, 2100);
  });

  it('replays a genBill with the same Idempotency-Key byte for byte and bills once', async () => {
    const headers = { ...json, 'idempotency-key': 'order-4711' };
    const before = (await api.db.pool.query('select count(*)::int as n from invoices')).rows[0].n;
    const first = await api.request('POST', '/api/v1/bill/genBill', { raw: GENBILL_BODY, headers });
    const second = await api.request('POST', '/api/v1/bill/genBill', { raw: GENBILL_BODY, headers });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.text, first.text);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal((await api.db.pool.query('select count(*)::int as n from invoices')).rows[0].n, before + 1);
    const other = await api.request('POST', '/api/v1/bill/genBill', { raw: GENBILL_BODY.replace('"quantity": 1', '"quantity": 2'), headers });
    assert.equal(other.status, 409);
    assert.equal(other.json.code, 'idempotency_key_reused');
  });

  it('answers 404 naming userId for an unknown customer, and writes nothing', async () => {
    const before = await allRowCounts(api.db.pool);
    for (const userId of ['nobody@example.com', 999999, 'not-an-email']) {
      const response = await api.request('POST', '/api/v1/bill/genBill', { body: { userId, items: [{ productId: 'A', quantity: 1, price: 1, productName: 'A' }] } });
      assert.equal(response.status, 404, `${userId}: ${response.text}`);
      assert.equal(response.json.code, 'customer_not_found');
      assert.equal(response.json.details[0].field, 'userId');
    }
    assert.deepEqual(await allRowCounts(api.db.pool), before);
  });

  it('rejects bad items naming each field: negative quantity, too many decimals, missing name', async () => {
    const before = await allRowCounts(api.db.pool);
    const response = await api.request('POST', '/api/v1/bill/genBill', {
      body: {
        userId: 'john.doe@example.com',
        items: [
          { productId: 'A', quantity: -1, price: 899, productName: 'A' },
          { productId: 'B', quantity: 1, price: '8.999', productName: 'B' },
          { productId: 'C', quantity: 1, price: 5 },
        ],
      },
    });
    assert.equal(response.status, 400, response.text);
    const fields = response.json.details.map((d: { field: string }) => d.field);
    assert.ok(fields.includes('items[0].quantity'), fields.join());
    assert.ok(fields.includes('items[2].productName'), fields.join());
    const decimals = await api.request('POST', '/api/v1/bill/genBill', {
      body: { userId: 'john.doe@example.com', items: [{ productId: 'B', quantity: 1, price: '8.999', productName: 'B' }] },
    });
    assert.equal(decimals.status, 400);
    assert.equal(decimals.json.details[0].field, 'items[0].price');
    assert.deepEqual(await allRowCounts(api.db.pool), before);
  });

  it('answers 422 when the invoice cannot be issued (no tax region), writing nothing', async () => {
    const created = await api.request('POST', '/api/v1/customers', {
      body: { name: 'No Region', email: 'noregion@example.com', currency: 'EUR', country: 'DE', legalEntityId: 'eu' },
    });
    assert.equal(created.status, 201);
    const before = await allRowCounts(api.db.pool);
    const response = await api.request('POST', '/api/v1/bill/genBill', {
      body: { userId: 'noregion@example.com', items: [{ productId: 'A', quantity: 1, price: 5, productName: 'A' }] },
    });
    assert.equal(response.status, 422, response.text);
    assert.equal(response.json.code, 'invoice_invalid');
    assert.deepEqual(await allRowCounts(api.db.pool), before);
  });

  it('needs a write key: 401 without one, 403 with a read key', async () => {
    const none = await api.request('POST', '/api/v1/bill/genBill', { raw: GENBILL_BODY, headers: json, key: null });
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const reader = await api.request('POST', '/api/v1/user/register', { raw: REGISTER_BODY, headers: json, key: api.keys.read });
    assert.equal(reader.status, 403);
    assert.equal(reader.json.code, 'forbidden');
  });
});
