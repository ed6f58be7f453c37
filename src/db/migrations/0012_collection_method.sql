-- How a customer's invoices are paid (Stripe's collection_method):
--   charge_automatically — the collector charges the customer's method of record (card, mandate);
--   send_invoice         — the customer pays by themselves (bank transfer, UPI, cash): repayments
--                          settle the invoices and the collector never charges them.
-- Read by the collector when it claims invoices, so revoking a mandate (switching a customer to
-- send_invoice) stops every charge of their open invoices at once, older ones included.
-- A constant default: no table rewrite on a large customers table.
alter table customers add column collection_method text not null default 'charge_automatically'
  check (collection_method in ('charge_automatically', 'send_invoice'));
