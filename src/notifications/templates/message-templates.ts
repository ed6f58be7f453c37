import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BillflowError } from '../../errors.ts';

/** Default message templates: templates/email/<locale>.json (en, fr, de, es, hi, …). */
export const DEFAULT_MESSAGE_TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/email/', import.meta.url));
const FALLBACK_LOCALE = 'en';

export interface EmailTemplate {
  subject: string;
  text: string;
  html: string;
}

export interface LocaleTemplates {
  email: EmailTemplate;
  sms: string;
  whatsapp: string;
  /** A credit note's email; a file without it uses the default file's, then en's. */
  creditNoteEmail?: EmailTemplate;
}

/**
 * What a template may say: {{name}}, {{number}}, {{total}}, {{dueDate}}, {{period}}, {{seller}},
 * {{invoiceNumber}}. In a credit note's email, number and total are the credit note's and
 * invoiceNumber is the invoice it credits.
 */
export interface MessageVars {
  name: string;
  number: string;
  total: string;
  dueDate: string;
  period: string;
  seller: string;
  invoiceNumber: string;
}

export interface RenderedMessages {
  locale: string;
  email: { subject: string; text: string; html: string };
  sms: string;
  whatsapp: string;
}

export type MessageTemplateSet = Map<string, LocaleTemplates>;

const isEmail = (e: Partial<EmailTemplate> | undefined): boolean =>
  !!e && typeof e.subject === 'string' && typeof e.text === 'string' && typeof e.html === 'string';

function checkTemplates(file: string, raw: unknown): LocaleTemplates {
  const t = raw as Partial<LocaleTemplates> | null;
  const ok = t && typeof t.sms === 'string' && typeof t.whatsapp === 'string' && isEmail(t.email)
    && (t.creditNoteEmail === undefined || isEmail(t.creditNoteEmail));
  if (!ok) throw new BillflowError('template_error', `${file}: expected {email: {subject, text, html}, sms, whatsapp} strings (and optionally creditNoteEmail: {subject, text, html})`);
  return t as LocaleTemplates;
}

/** Loads the default templates, then any override folder's files over them (file by file). */
export function loadMessageTemplates(overrideDir: string | null = null): MessageTemplateSet {
  const set: MessageTemplateSet = new Map();
  for (const dir of [DEFAULT_MESSAGE_TEMPLATES_DIR, overrideDir]) {
    if (dir === null || !existsSync(dir)) continue;
    for (const file of readdirSync(dir).filter((f) => /^[a-zA-Z-]+\.json$/.test(f)).sort()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      } catch (error) {
        throw new BillflowError('template_error', `${join(dir, file)}: not valid JSON (${(error as Error).message})`);
      }
      const locale = file.slice(0, -5).toLowerCase();
      const checked = checkTemplates(join(dir, file), parsed);
      // An override written before credit notes were delivered keeps the default's credit note email.
      set.set(locale, { ...checked, creditNoteEmail: checked.creditNoteEmail ?? set.get(locale)?.creditNoteEmail });
    }
  }
  if (!set.has(FALLBACK_LOCALE)) throw new BillflowError('template_error', `no '${FALLBACK_LOCALE}.json' message template found`);
  if (!set.get(FALLBACK_LOCALE)!.creditNoteEmail) throw new BillflowError('template_error', `'${FALLBACK_LOCALE}.json' has no creditNoteEmail {subject, text, html}`);
  return set;
}

/** 'fr-CA' → fr-ca, then fr, then en. */
export function pickLocale(set: MessageTemplateSet, locale: string): string {
  const lower = locale.toLowerCase();
  if (set.has(lower)) return lower;
  const base = lower.split(/[-_]/)[0]!;
  return set.has(base) ? base : FALLBACK_LOCALE;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function fill(template: string, vars: MessageVars, escape: (s: string) => string): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) =>
    Object.hasOwn(vars, key) ? escape(vars[key as keyof MessageVars]) : whole);
}

/** Every channel's text for one invoice, in the customer's locale (pure). */
export function renderMessages(set: MessageTemplateSet, locale: string, vars: MessageVars): RenderedMessages {
  const picked = pickLocale(set, locale);
  const t = set.get(picked)!;
  const plain = (s: string) => s;
  return {
    locale: picked,
    email: { subject: fill(t.email.subject, vars, plain), text: fill(t.email.text, vars, plain), html: fill(t.email.html, vars, escapeHtml) },
    sms: fill(t.sms, vars, plain),
    whatsapp: fill(t.whatsapp, vars, plain),
  };
}

/** A credit note's email in the customer's locale (a locale without one falls back to en's; pure). */
export function renderCreditNoteEmail(set: MessageTemplateSet, locale: string, vars: MessageVars): EmailTemplate & { locale: string } {
  const picked = pickLocale(set, locale);
  const own = set.get(picked)!.creditNoteEmail;
  const t = own ?? set.get(FALLBACK_LOCALE)!.creditNoteEmail!;
  const plain = (s: string) => s;
  return { locale: own ? picked : FALLBACK_LOCALE, subject: fill(t.subject, vars, plain), text: fill(t.text, vars, plain), html: fill(t.html, vars, escapeHtml) };
}
