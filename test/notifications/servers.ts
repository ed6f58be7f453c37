import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * Local peers speaking the real protocols, for the delivery tests and the email benchmark:
 * SMTP (the smtp-server package), Twilio's Messages API and the WhatsApp Cloud API (node:http).
 * Each counts what it accepted per message, so a test can assert "once, never twice".
 */
export interface SmtpTestServer {
  url: string;
  /** Accepted messages per Message-ID (a count above 1 is a duplicate). */
  received: Map<string, number>;
  /** DATA attempts per Message-ID, including the refused ones. */
  attempts: Map<string, number>;
  /** The last accepted raw message per Message-ID (kept only with `keepRaw`). */
  raw: Map<string, Buffer>;
  accepted: () => number;
  withPdf: () => number;
  /** Recipients refused at RCPT TO with 550 (edit to "fix" an address). */
  rejectRecipients: Set<string>;
  close(): Promise<void>;
}

export async function startSmtpServer(options: { failFirst?: number; failCode?: number; delayMs?: number; rejectRecipients?: string[]; keepRaw?: boolean } = {}): Promise<SmtpTestServer> {
  const received = new Map<string, number>();
  const rawById = new Map<string, Buffer>();
  const attempts = new Map<string, number>();
  const rejectRecipients = new Set(options.rejectRecipients ?? []);
  let pdfs = 0;
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, size: 10 * 1024 * 1024, maxClients: 1000,
    onRcptTo(address, _session, callback) {
      if (rejectRecipients.has(address.address)) {
        callback(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const head = raw.subarray(0, Math.min(raw.length, 4096)).toString('latin1');
        const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? '(none)';
        const n = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, n);
        const finish = () => {
          if (n <= (options.failFirst ?? 0)) {
            callback(Object.assign(new Error('4.3.0 try again later'), { responseCode: options.failCode ?? 451 }));
            return;
          }
          received.set(id, (received.get(id) ?? 0) + 1);
          if (options.keepRaw) rawById.set(id, raw);
          if (raw.includes('application/pdf')) pdfs++;
          callback(null, 'queued');
        };
        if (options.delayMs) setTimeout(finish, options.delayMs);
        else finish();
      });
    },
  });
  // A client killed mid-message resets its connection: smtp-server reports it as an 'error' event,
  // which with no listener would be an uncaught exception in the test process (the crash test).
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    received, attempts, rejectRecipients, raw: rawById,
    accepted: () => [...received.values()].reduce((a, b) => a + b, 0),
    withPdf: () => pdfs,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

interface HttpPeer {
  url: string;
  /** Accepted messages per recipient. */
  received: Map<string, { id: string; body: string; document: boolean; createdAt: string }[]>;
  /** Every request's answer status, in order. */
  statuses: number[];
  /** Answers to give first, per recipient (e.g. [429, 503]), before accepting. */
  script: Map<string, number[]>;
  close(): Promise<void>;
}

function listen(handler: (req: IncomingMessage, body: Buffer) => { status: number; json: unknown; headers?: Record<string, string> }, statuses: number[]): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    void bodyOf(req).then((body) => {
      const out = handler(req, body);
      statuses.push(out.status);
      res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
      res.end(JSON.stringify(out.json));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

function scripted(script: Map<string, number[]>, to: string): { status: number; json: unknown; headers?: Record<string, string> } | null {
  const next = script.get(to)?.shift();
  if (next === undefined) return null;
  const headers: Record<string, string> = next === 429 ? { 'retry-after': '0' } : {};
  return { status: next, json: { code: next === 400 ? 21211 : next, message: `scripted ${next}` }, headers };
}

/** Twilio's Messages API: POST (form, basic auth) creates, GET lists by To (newest first). */
export async function startTwilioServer(accountSid: string, authToken: string): Promise<HttpPeer> {
  const received: HttpPeer['received'] = new Map();
  const statuses: number[] = [];
  const script = new Map<string, number[]>();
  const path = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  let sid = 0;
  const { server, url } = await listen((req, body) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== path) return { status: 404, json: { code: 20404, message: 'not found' } };
    if (req.headers.authorization !== auth) return { status: 401, json: { code: 20003, message: 'authenticate' } };
    if (req.method === 'GET') {
      const to = u.searchParams.get('To') ?? '';
      const messages = [...(received.get(to) ?? [])].reverse().map((m) => ({ sid: m.id, to, body: m.body, status: 'queued', date_created: m.createdAt }));
      return { status: 200, json: { messages } };
    }
    const form = new URLSearchParams(body.toString('utf8'));
    const to = form.get('To') ?? '';
    if (!form.get('Body') || !(form.get('From') || form.get('MessagingServiceSid'))) return { status: 400, json: { code: 21604, message: 'Body and From required' } };
    const fail = scripted(script, to);
    if (fail) return fail;
    const m = { id: `SM${String(++sid).padStart(32, '0')}`, body: form.get('Body')!, document: false, createdAt: new Date().toUTCString() };
    received.set(to, [...(received.get(to) ?? []), m]);
    return { status: 201, json: { sid: m.id, to, body: m.body, status: 'queued', date_created: m.createdAt } };
  }, statuses);
  return { url, received, statuses, script, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The WhatsApp Cloud API: POST /{v}/{phone-id}/media (multipart) and /{v}/{phone-id}/messages (JSON). */
export async function startWhatsAppServer(phoneNumberId: string, token: string): Promise<HttpPeer & { uploads: number }> {
  const received: HttpPeer['received'] = new Map();
  const statuses: number[] = [];
  const script = new Map<string, number[]>();
  const media = new Set<string>();
  let n = 0;
  const peer = { uploads: 0 };
  const { server, url } = await listen((req, body) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (req.headers.authorization !== `Bearer ${token}`) return { status: 401, json: { error: { code: 190, message: 'invalid token' } } };
    if (req.method === 'POST' && u.pathname === `/v21.0/${phoneNumberId}/media`) {
      if (!body.includes('%PDF') || !body.includes('messaging_product')) return { status: 400, json: { error: { code: 100, message: 'no file' } } };
      const id = `media-${++n}`;
      media.add(id);
      peer.uploads++;
      return { status: 200, json: { id } };
    }
    if (req.method === 'POST' && u.pathname === `/v21.0/${phoneNumberId}/messages`) {
      const msg = JSON.parse(body.toString('utf8')) as { to: string; type: string; text?: { body: string }; document?: { id: string; caption: string } };
      const fail = scripted(script, msg.to);
      if (fail) return fail;
      if (msg.type === 'document' && !media.has(msg.document?.id ?? '')) return { status: 400, json: { error: { code: 131053, message: 'unknown media' } } };
      const m = { id: `wamid.${++n}`, body: msg.document?.caption ?? msg.text?.body ?? '', document: msg.type === 'document', createdAt: new Date().toISOString() };
      received.set(msg.to, [...(received.get(msg.to) ?? []), m]);
      return { status: 200, json: { messaging_product: 'whatsapp', contacts: [{ wa_id: msg.to }], messages: [{ id: m.id }] } };
    }
    return { status: 404, json: { error: { message: 'not found' } } };
  }, statuses);
  return Object.assign(peer, { url, received, statuses, script, close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
}
