import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { SmtpPool } from '../../src/notifications/channels/email/smtp-pool.ts';

/**
 * The SMTP connection pool against smtp-server speaking STARTTLS (its built-in self-signed
 * certificate) and AUTH LOGIN/PLAIN: connections are reused up to their message limit, a
 * refused recipient costs an RSET (not the connection), a connection the server dropped while
 * idle is replaced without losing the message, and a wrong password is an error.
 */
describe('SMTP pool (STARTTLS, AUTH, reuse, refusals, idle drops)', () => {
  let server: SMTPServer;
  let port: number;
  const received: string[] = [];
  let connections = 0;
  let tls = 0;
  const sessions = new Set<{ close: () => void }>();

  before(async () => {
    server = new SMTPServer({
      logger: false, authMethods: ['PLAIN', 'LOGIN'],
      onConnect(session, callback) {
        connections++;
        callback();
      },
      onSecure(_socket, _session, callback) {
        tls++;
        callback();
      },
      onAuth(auth, _session, callback) {
        if (auth.username === 'billing' && auth.password === 's3cret') callback(null, { user: 'billing' });
        else callback(Object.assign(new Error('5.7.8 bad credentials'), { responseCode: 535 }));
      },
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('nobody@')) callback(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }));
        else callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(/^Subject: (.*)$/m.exec(Buffer.concat(chunks).toString())?.[1] ?? '?');
          callback(null, `queued as ${received.length}`);
        });
      },
    });
    server.on('error', () => undefined); // sessions the test drops on purpose
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
    // Every connection, to close them from the server side later.
    server.server.on('connection', (socket) => {
      const s = { close: () => socket.destroy() };
      sessions.add(s);
      socket.on('close', () => sessions.delete(s));
    });
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const pool = (options: { pass?: string; maxConnections?: number; maxMessages?: number } = {}) => new SmtpPool({
    host: '127.0.0.1', port, secure: false, ignoreTLS: false, auth: { user: 'billing', pass: options.pass ?? 's3cret' },
    tls: { rejectUnauthorized: false }, timeoutMs: 5_000, maxConnections: options.maxConnections ?? 3, maxMessagesPerConnection: options.maxMessages ?? 10,
  });
  const message = (n: number) => Buffer.from(`From: billing@example.com\r\nTo: c${n}@example.com\r\nSubject: m${n}\r\n\r\n.leading dot line\r\nbody ${n}\r\n`);

  it('sends over STARTTLS with AUTH, reusing at most maxConnections connections per maxMessages', async () => {
    const p = pool();
    const before = connections;
    const answers = await Promise.all(Array.from({ length: 50 }, (_, n) => p.send({ from: 'billing@example.com', to: [`c${n}@example.com`] }, message(n))));
    p.close();
    assert.equal(answers.length, 50);
    assert.ok(answers.every((a) => /^250 queued as \d+/.test(a.response)), answers[0]?.response);
    assert.deepEqual([...received].sort(), Array.from({ length: 50 }, (_, n) => `m${n}`).sort());
    const opened = connections - before;
    assert.ok(opened >= 5 && opened <= 8, `${opened} connections for 50 messages at 10 per connection`);
    assert.ok(tls >= opened, 'every connection upgraded with STARTTLS');
  });

  it('a refused recipient fails that message only; the connection goes on', async () => {
    const p = pool({ maxConnections: 1 });
    const before = connections;
    await assert.rejects(p.send({ from: 'billing@example.com', to: ['nobody@example.com'] }, message(900)), (e: { responseCode?: number }) => e.responseCode === 550);
    const ok = await p.send({ from: 'billing@example.com', to: ['c901@example.com'] }, message(901));
    assert.match(ok.response, /^250/);
    assert.equal(connections - before, 1, 'one connection for both');
    p.close();
  });

  it('a connection the server dropped while idle is replaced; the message goes once', async () => {
    const p = pool({ maxConnections: 1 });
    await p.send({ from: 'billing@example.com', to: ['c910@example.com'] }, message(910));
    for (const s of sessions) s.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const count = received.length;
    const ok = await p.send({ from: 'billing@example.com', to: ['c911@example.com'] }, message(911));
    assert.match(ok.response, /^250/);
    assert.equal(received.length, count + 1);
    assert.equal(received.filter((s) => s === 'm911').length, 1);
    p.close();
  });

  it('a wrong password is an authentication error', async () => {
    const p = pool({ pass: 'wrong' });
    await assert.rejects(p.send({ from: 'billing@example.com', to: ['c920@example.com'] }, message(920)), (e: { code?: string; responseCode?: number }) => e.code === 'EAUTH' || e.responseCode === 535);
    p.close();
  });
});
