import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BillflowError } from '../errors.ts';
import type { DocumentKind } from './view.ts';

/**
 * A template set: the default templates (repo folder templates/) overlaid by a team's own
 * folder (`--templates DIR` or config `documents.templatesDir`). A file in the team's folder
 * replaces the default of the same name; anything it lacks comes from the defaults, so a team
 * may override only invoice.typ or only messages/fr.json. Message files merge key by key.
 *
 * Files are read into memory and handed to Typst as a virtual workspace: templates can import
 * each other and load images (a logo) from the folder, but never read anything else on disk.
 * The set remembers each file's mtime and size; `isStale` says when an edit must be reloaded,
 * so an edited template is picked up by the next batch without a restart.
 */
export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

export const TEMPLATE_FILE: Record<DocumentKind, string> = {
  invoice: 'invoice.typ',
  credit_note: 'credit-note.typ',
  loan_statement: 'loan-statement.typ',
};

/** Limits: a template folder is small; anything bigger is a mistake (wrong --templates). */
const MAX_FILES = 200;
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_DEPTH = 4;

export interface TemplateFile {
  /** Path inside the virtual workspace, '/'-separated, e.g. 'invoice.typ', 'messages/fr.json'. */
  name: string;
  /** Where it was read from (for error messages). */
  realPath: string;
  bytes: Buffer;
  mtimeMs: number;
  size: number;
}

export interface TemplateSet {
  dirs: string[];
  files: Map<string, TemplateFile>;
  messages: Map<string, Record<string, unknown>>;
  /** sha256 over every file's name and bytes: part of each document's content hash. */
  hash: string;
}

function listFiles(root: string, dir = root, depth = 0, out: string[] = []): string[] {
  if (depth > MAX_DEPTH) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(root, path, depth + 1, out);
    else if (entry.isFile()) out.push(relative(root, path).split(sep).join('/'));
    if (out.length > MAX_FILES) throw templateError(`${root}: more than ${MAX_FILES} files; is this a template folder?`);
  }
  return out;
}

export function templateError(message: string, details: { field: string; message: string }[] = []): BillflowError {
  return new BillflowError('template_error', message, { httpStatus: 500, details });
}

export function loadTemplateSet(overrideDir?: string | null): TemplateSet {
  const dirs = [DEFAULT_TEMPLATES_DIR];
  if (overrideDir) {
    const dir = resolve(overrideDir);
    try {
      if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    } catch (error) {
      throw templateError(`templates folder ${dir}: ${(error as Error).message}`, [{ field: 'documents.templatesDir', message: 'not a readable folder' }]);
    }
    if (dir !== resolve(DEFAULT_TEMPLATES_DIR)) dirs.push(dir);
  }
  const files = new Map<string, TemplateFile>();
  for (const dir of dirs) {
    for (const name of listFiles(dir)) {
      const realPath = join(dir, name);
      const stat = statSync(realPath);
      if (stat.size > MAX_FILE_BYTES) throw templateError(`${realPath}: larger than ${MAX_FILE_BYTES} bytes`);
      files.set(name, { name, realPath, bytes: readFileSync(realPath), mtimeMs: stat.mtimeMs, size: stat.size });
    }
  }
  const messages = new Map<string, Record<string, unknown>>();
  const hash = createHash('sha256');
  for (const name of [...files.keys()].sort()) {
    const file = files.get(name)!;
    hash.update(name).update('\0').update(file.bytes).update('\0');
  }
  // Messages: defaults first, the team's keys over them.
  for (const dir of dirs) {
    for (const name of listFiles(dir).filter((n) => /^messages\/[A-Za-z-]+\.json$/.test(n))) {
      const locale = name.slice('messages/'.length, -'.json'.length);
      const path = join(dir, name);
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      } catch (error) {
        throw templateError(`${path}: not valid JSON (${(error as Error).message})`, [{ field: path, message: 'invalid JSON' }]);
      }
      messages.set(locale, { ...(messages.get(locale) ?? {}), ...parsed });
    }
  }
  if (!messages.has('en')) throw templateError(`no messages/en.json in ${dirs.join(' or ')}`);
  return { dirs, files, messages, hash: hash.digest('hex') };
}

/** True when a file of the set changed, vanished or appeared since it was loaded. */
export function isStale(set: TemplateSet): boolean {
  for (const file of set.files.values()) {
    try {
      const stat = statSync(file.realPath);
      if (stat.mtimeMs !== file.mtimeMs || stat.size !== file.size) return true;
    } catch {
      return true;
    }
  }
  try {
    return new Set(set.dirs.flatMap((d) => listFiles(d))).size !== set.files.size;
  } catch {
    return true;
  }
}

/** The messages for a locale: 'fr-CA' → fr-CA, else fr, else en; missing keys come from en. */
export function messagesFor(set: TemplateSet, locale: string): { locale: string; labels: Record<string, unknown> } {
  // One merged object per template set and locale, shared by its views (read-only).
  let byLocale = mergedMessages.get(set);
  if (!byLocale) mergedMessages.set(set, (byLocale = new Map()));
  let out = byLocale.get(locale);
  if (!out) {
    if (byLocale.size >= 1_000) byLocale.clear();
    byLocale.set(locale, (out = mergeMessages(set, locale)));
  }
  return out;
}

const mergedMessages = new WeakMap<TemplateSet, Map<string, { locale: string; labels: Record<string, unknown> }>>();

function mergeMessages(set: TemplateSet, locale: string): { locale: string; labels: Record<string, unknown> } {
  const en = set.messages.get('en')!;
  const base = locale.split('-')[0]!.toLowerCase();
  const exact = set.messages.get(locale);
  if (exact) return { locale, labels: { ...en, ...exact } };
  const lang = set.messages.get(base);
  if (lang) return { locale: base, labels: { ...en, ...lang } };
  return { locale: 'en', labels: en };
}
