import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { composeMime, encodeHeaderValue } from './mime.ts';

describe('MIME composition', () => {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(30_000, 7)]);
  const raw = composeMime({
    from: 'Billflow Indien <billing@billflow.local>', to: 'asha@example.in', subject: 'बिल BFIN-2026-000001 — ₹1,180.00, देय तिथि 2026-12-16',
    text: 'नमस्ते Asha,\n\nआपका बिल संलग्न है।', html: '<p>नमस्ते <b>Asha</b></p>', messageId: '<billflow.inv-1-email@billflow.local>',
    date: new Date('2026-12-01T10:00:00Z'), headers: { 'X-Billflow-Delivery': 'inv-1-email' },
    attachment: { filename: 'BFIN-2026-000001.pdf', content: pdf, contentType: 'application/pdf' },
  });

  it('is read back by a mail parser: headers, both bodies and the PDF byte for byte', async () => {
    const parsed = await simpleParser(raw);
    assert.equal(parsed.subject, 'बिल BFIN-2026-000001 — ₹1,180.00, देय तिथि 2026-12-16');
    assert.equal(parsed.messageId, '<billflow.inv-1-email@billflow.local>');
    assert.equal(parsed.from?.value[0]?.address, 'billing@billflow.local');
    assert.equal(parsed.text?.trim(), 'नमस्ते Asha,\n\nआपका बिल संलग्न है।');
    assert.match(String(parsed.html), /<b>Asha<\/b>/);
    assert.equal(parsed.attachments.length, 1);
    assert.equal(parsed.attachments[0]!.filename, 'BFIN-2026-000001.pdf');
    assert.equal(parsed.attachments[0]!.contentType, 'application/pdf');
    assert.ok(parsed.attachments[0]!.content.equals(pdf));
    assert.equal(parsed.headers.get('x-billflow-delivery'), 'inv-1-email');
  });

  it('keeps every line within SMTP limits', () => {
    for (const line of raw.toString('latin1').split('\r\n')) assert.ok(line.length <= 998, `${line.length}: ${line.slice(0, 40)}`);
    for (const line of encodeHeaderValue('é'.repeat(200)).split('\r\n')) assert.ok(line.length <= 78);
  });
});
