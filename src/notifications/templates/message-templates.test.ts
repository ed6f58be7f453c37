import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMessageTemplates, pickLocale, renderCreditNoteEmail, renderMessages } from './message-templates.ts';

const vars = { name: 'Ana <Ops> & Co', number: 'BF-2026-000042', total: '€1,234.50', dueDate: '2026-12-15', period: '2026-11', seller: 'Billflow EU', invoiceNumber: 'BF-2026-000042' };

describe('message templates', () => {
  const set = loadMessageTemplates();

  it('ships en, fr, de, es and hi with every channel', () => {
    for (const locale of ['en', 'fr', 'de', 'es', 'hi']) {
      const m = renderMessages(set, locale, vars);
      assert.equal(m.locale, locale);
      for (const text of [m.email.subject, m.email.text, m.email.html, m.sms, m.whatsapp]) {
        assert.ok(text.includes('BF-2026-000042'), `${locale}: ${text}`);
        assert.ok(!text.includes('{{'), `${locale}: unfilled placeholder in ${text}`);
      }
    }
  });

  it('falls back from a regional locale to its language, then to English', () => {
    assert.equal(pickLocale(set, 'fr-CA'), 'fr');
    assert.equal(pickLocale(set, 'ja-JP'), 'en');
    assert.match(renderMessages(set, 'de_AT', vars).email.subject, /^Rechnung/);
  });

  it('escapes values in HTML only', () => {
    const m = renderMessages(set, 'en', vars);
    assert.ok(m.email.html.includes('Ana &lt;Ops&gt; &amp; Co'));
    assert.ok(!m.email.html.includes('<Ops>'));
    assert.ok(m.email.text.includes('Ana <Ops> & Co'));
  });

  it('ships a credit note email in en, fr, de, es and hi, and falls back to en', () => {
    const cn = { ...vars, number: 'BFIN-CN-2026-000007', total: '€59.00' };
    for (const locale of ['en', 'fr', 'de', 'es', 'hi']) {
      const m = renderCreditNoteEmail(set, locale, cn);
      assert.equal(m.locale, locale);
      for (const text of [m.subject, m.text, m.html]) {
        for (const part of ['BFIN-CN-2026-000007', '€59.00', 'BF-2026-000042']) assert.ok(text.includes(part), `${locale}: ${part} in ${text}`);
        assert.ok(!text.includes('{{'), `${locale}: unfilled placeholder in ${text}`);
      }
    }
    assert.match(renderCreditNoteEmail(set, 'ja-JP', cn).subject, /^Credit note BFIN-CN-2026-000007/);
    // An override file without creditNoteEmail keeps the shipped one of its locale.
    const dir = mkdtempSync(join(tmpdir(), 'billflow-templates-'));
    try {
      writeFileSync(join(dir, 'fr.json'), JSON.stringify({ email: { subject: 'S {{number}}', text: 'T', html: 'H' }, sms: 's', whatsapp: 'w' }));
      const overridden = loadMessageTemplates(dir);
      assert.equal(renderMessages(overridden, 'fr', vars).email.subject, 'S BF-2026-000042');
      assert.match(renderCreditNoteEmail(overridden, 'fr', cn).subject, /^Avoir BFIN-CN-2026-000007/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
