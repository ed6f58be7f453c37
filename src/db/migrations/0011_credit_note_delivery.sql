-- Credit note delivery: each credit note's PDF goes to its customer by email through the delivery
-- stage (docs/delivery.md, docs/credit-notes.md). A credit note's delivery keeps the invoice it
-- credits in invoice_id (listing by invoice shows it) and names the credit note in credit_note_id;
-- the idempotency key is then one per credit note × channel ('cn-7-email'), distinct from the
-- invoice's own ('inv-42-email'), so neither blocks the other.
alter table deliveries add column credit_note_id bigint references credit_notes(id);
alter table deliveries drop constraint deliveries_invoice_id_channel_key;
create unique index deliveries_invoice_channel on deliveries (invoice_id, channel) where credit_note_id is null;
create unique index deliveries_credit_note_channel on deliveries (credit_note_id, channel) where credit_note_id is not null;
