import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadMessageTemplates, pickLocale, renderMessages } from './message-templates.ts';

const vars = { name: 'Ana <Ops> & Co', number: 'BF-2026-000042', total: '€1,234.50', dueDate: '2026-12-15', period: '2026-11', seller: 'Billflow EU' };

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
});
