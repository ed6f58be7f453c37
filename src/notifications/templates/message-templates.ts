import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BillflowError } from '../../errors.ts';

/** Default message templates: templates/email/<locale>.json (en, fr, de, es, hi, …). */
export const DEFAULT_MESSAGE_TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/email/', import.meta.url));
const FALLBACK_LOCALE = 'en';

export interface LocaleTemplates {
  email: { subject: string; text: string; html: string };
  sms: string;
  whatsapp: string;
}

/** What a template may say: {{name}}, {{number}}, {{total}}, {{dueDate}}, {{period}}, {{seller}}. */
export interface MessageVars {
  name: string;
  number: string;
  total: string;
  dueDate: string;
  period: string;
  seller: string;
}

export interface RenderedMessages {
  locale: string;
  email: { subject: string; text: string; html: string };
  sms: string;
  whatsapp: string;
}

export type MessageTemplateSet = Map<string, LocaleTemplates>;

function checkTemplates(file: string, raw: unknown): LocaleTemplates {
  const t = raw as Partial<LocaleTemplates> | null;
  const ok = t && typeof t.sms === 'string' && typeof t.whatsapp === 'string' && t.email
    && typeof t.email.subject === 'string' && typeof t.email.text === 'string' && typeof t.email.html === 'string';
  if (!ok) throw new BillflowError('template_error', `${file}: expected {email: {subject, text, html}, sms, whatsapp} strings`);
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
      set.set(file.slice(0, -5).toLowerCase(), checkTemplates(join(dir, file), parsed));
    }
  }
  if (!set.has(FALLBACK_LOCALE)) throw new BillflowError('template_error', `no '${FALLBACK_LOCALE}.json' message template found`);
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
