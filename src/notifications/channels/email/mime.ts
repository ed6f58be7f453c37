import { createHash } from 'node:crypto';

/**
 * A MIME message built in one pass: multipart/mixed [multipart/alternative [text, html], PDF],
 * every body base64 (UTF-8), non-ASCII headers as RFC 2047 encoded words. nodemailer's own
 * composer streams each part through several transforms and cost ~2.8 ms per invoice email with
 * a 30 KB PDF on the 2-core test machine; this costs a small fraction of that (docs/delivery.md,
 * docs/benchmarks.md). Boundaries contain '=_', which base64 can never produce, and are derived
 * from the Message-ID, so a resend is byte-for-byte the same message apart from its Date.
 */
export interface MimeInput {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  date: Date;
  headers: Record<string, string>;
  attachment: { filename: string; content: Buffer; contentType: string } | null;
}

const CRLF = '\r\n';
const LINE = 76;
/** UTF-8 bytes per encoded word (keeps each folded header line under 78 characters). */
const WORD_BYTES = 42;

/** Base64 in lines of 76 characters. */
export function base64Lines(bytes: Buffer): string {
  const b64 = bytes.toString('base64');
  const parts: string[] = [];
  for (let at = 0; at < b64.length; at += LINE) parts.push(b64.slice(at, at + LINE));
  return parts.join(CRLF);
}

/** A header value: as is when printable ASCII, else RFC 2047 B-encoded words, folded. */
export function encodeHeaderValue(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ');
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  const words: string[] = [];
  let current = '';
  for (const ch of clean) {
    if (Buffer.byteLength(current + ch) > WORD_BYTES) {
      words.push(current);
      current = '';
    }
    current += ch;
  }
  if (current) words.push(current);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(`${CRLF} `);
}

/** 'Name <addr>' with a non-ASCII name encoded; a bare address as is. */
function encodeAddress(address: string): string {
  const m = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(address);
  if (!m || !m[1]) return address.trim();
  const name = /^[\x20-\x7e]*$/.test(m[1]) ? `"${m[1].replace(/["\\]/g, '\\$&')}"` : encodeHeaderValue(m[1]);
  return `${name} <${m[2]}>`;
}

/** The bare address of 'Name <addr>' (for the SMTP envelope). */
export function bareAddress(address: string): string {
  return /<([^>]+)>/.exec(address)?.[1] ?? address.trim();
}

export function composeMime(m: MimeInput): Buffer {
  const tag = createHash('sha1').update(m.messageId).digest('hex').slice(0, 20);
  const mixed = `=_bfm_${tag}`;
  const alt = `=_bfa_${tag}`;
  const head = [
    `From: ${encodeAddress(m.from)}`,
    `To: ${m.to}`,
    `Subject: ${encodeHeaderValue(m.subject)}`,
    `Message-ID: ${m.messageId}`,
    `Date: ${m.date.toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    ...Object.entries(m.headers).map(([k, v]) => `${k}: ${encodeHeaderValue(v)}`),
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    `--${mixed}`,
    `Content-Type: multipart/alternative; boundary="${alt}"`,
    '',
    `--${alt}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(Buffer.from(m.text)),
    `--${alt}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(Buffer.from(m.html)),
    `--${alt}--`,
  ];
  if (m.attachment) {
    const name = encodeHeaderValue(m.attachment.filename).replace(/"/g, '');
    head.push(
      `--${mixed}`,
      `Content-Type: ${m.attachment.contentType}; name="${name}"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${name}"`,
      '',
      base64Lines(m.attachment.content),
    );
  }
  head.push(`--${mixed}--`, '');
  return Buffer.from(head.join(CRLF));
}
