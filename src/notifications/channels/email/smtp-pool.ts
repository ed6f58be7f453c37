import { PassThrough } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

/**
 * A pool of SMTP connections for raw, already composed messages, built on nodemailer's
 * SMTPConnection (which keeps the protocol: greeting, EHLO, STARTTLS, AUTH, envelopes, dot
 * stuffing, response codes, timeouts). nodemailer's own pooled transport wraps every message in
 * its Mailer → MailMessage → MimeNode layers even for `raw` input — header parsing, address
 * parsing, abort signals, stream plumbing — which cost ~0.6 ms of CPU per 30 KB invoice email on
 * the 2-core machine, more than the SMTP conversation itself (docs/decisions.md).
 */
export interface SmtpPoolOptions {
  host: string;
  port: number;
  secure: boolean;
  ignoreTLS: boolean;
  auth: { user: string; pass: string } | null;
  tls: { rejectUnauthorized: boolean };
  timeoutMs: number;
  maxConnections: number;
  maxMessagesPerConnection: number;
}

interface Pooled {
  connection: SMTPConnection;
  messages: number;
  gone: boolean;
}

type Waiter = { resolve: (c: Pooled) => void; reject: (e: unknown) => void };

/** The server's answer to an accepted message. */
export interface SmtpAccepted {
  response: string;
}

export class SmtpPool {
  private readonly idle: Pooled[] = [];
  private readonly waiters: Waiter[] = [];
  /** Connections open or opening. */
  private open = 0;
  private closed = false;

  constructor(private readonly options: SmtpPoolOptions) {}

  /**
   * Sends one message. A connection the server closed while it sat idle fails before the message
   * is read: that message goes again on a fresh connection (once). Any other failure is the
   * caller's to classify (src/notifications/channels/classify.ts).
   */
  async send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<SmtpAccepted> {
    for (let attempt = 1; ; attempt++) {
      const pooled = await this.acquire();
      const reused = pooled.messages > 0;
      const message = new PassThrough();
      message.end(raw);
      try {
        const info = await new Promise<SMTPConnection.SentMessageInfo>((resolve, reject) => {
          pooled.connection.send(envelope, message, (err, sent) => (err ? reject(err) : resolve(sent)));
        });
        pooled.messages++;
        this.release(pooled);
        return { response: String(info.response ?? 'accepted') };
      } catch (error) {
        pooled.messages++;
        const e = error as SMTPConnection.SMTPError;
        if ((e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421 && !pooled.gone) {
          // The server refused this message, not the session: RSET and reuse the connection.
          this.resetAndRelease(pooled);
          throw error;
        }
        this.discard(pooled);
        const stale = reused && attempt === 1 && !message.readableDidRead && !e.responseCode;
        if (!stale) throw error;
      }
    }
  }

  /** Closes idle connections now and busy ones as they finish. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new Error('SMTP pool closed'));
    for (const p of this.idle.splice(0)) this.quit(p);
  }

  private acquire(): Promise<Pooled> {
    if (this.closed) return Promise.reject(new Error('SMTP pool closed'));
    const ready = this.idle.pop();
    if (ready) return Promise.resolve(ready);
    if (this.open < this.options.maxConnections) return this.connect();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private release(pooled: Pooled): void {
    if (pooled.gone) return;
    if (this.closed || pooled.messages >= this.options.maxMessagesPerConnection) {
      this.quit(pooled);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(pooled);
    else this.idle.push(pooled);
  }

  private resetAndRelease(pooled: Pooled): void {
    pooled.connection.reset((err) => {
      if (err) this.discard(pooled);
      else this.release(pooled);
    });
  }

  /** The connection is done for; a waiter (if any) gets a new one. */
  private discard(pooled: Pooled): void {
    if (pooled.gone) return;
    pooled.gone = true;
    this.open--;
    const at = this.idle.indexOf(pooled);
    if (at >= 0) this.idle.splice(at, 1);
    pooled.connection.close();
    this.serveWaiter();
  }

  private quit(pooled: Pooled): void {
    if (pooled.gone) return;
    pooled.gone = true;
    this.open--;
    pooled.connection.quit();
    this.serveWaiter();
  }

  private serveWaiter(): void {
    if (this.closed || this.waiters.length === 0 || this.open >= this.options.maxConnections) return;
    const waiter = this.waiters.shift()!;
    this.connect().then(waiter.resolve, waiter.reject);
  }

  private connect(): Promise<Pooled> {
    this.open++;
    const o = this.options;
    const connection = new SMTPConnection({
      host: o.host, port: o.port, secure: o.secure, ignoreTLS: o.ignoreTLS, tls: o.tls,
      connectionTimeout: o.timeoutMs, greetingTimeout: o.timeoutMs, socketTimeout: o.timeoutMs,
    });
    const pooled: Pooled = { connection, messages: 0, gone: false };
    return new Promise<Pooled>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown) => {
        // Settle first: closing the connection below emits 'end', which must not replace the reason.
        if (!settled) {
          settled = true;
          reject(err);
        }
        if (!pooled.gone) {
          pooled.gone = true;
          this.open--;
          connection.close();
          this.serveWaiter();
        }
      };
      // After the handshake, errors reach the send that is running (its callback); an idle
      // connection that breaks or is closed by the server just leaves the pool.
      connection.on('error', (err) => (settled ? this.discard(pooled) : fail(err)));
      connection.once('end', () => (settled ? this.discard(pooled) : fail(new Error('SMTP connection closed during the handshake'))));
      connection.connect((err) => {
        if (err) return fail(err);
        const ready = () => {
          settled = true;
          resolve(pooled);
        };
        if (!o.auth || !(connection as unknown as { allowsAuth?: boolean }).allowsAuth) return ready();
        connection.login({ credentials: { user: o.auth.user, pass: o.auth.pass } }, (loginErr) => (loginErr ? fail(loginErr) : ready()));
      });
    });
  }
}
