/**
 * The receiving side of `npm run bench -- email`: an smtp-server in its own process (so the
 * sender's event loop does not carry it), counting accepted messages per Message-ID. Prints
 * its port, answers {type:'stats'} and {type:'reset'} over IPC.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

const counts = new Map<string, number>();
let accepted = 0;
let withPdf = 0;
let bytes = 0;
const server = new SMTPServer({
  authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, size: 10 * 1024 * 1024, maxClients: 10_000,
  onData(stream, _session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const raw = Buffer.concat(chunks);
      const id = /^Message-ID:\s*(\S+)/im.exec(raw.subarray(0, 4096).toString('latin1'))?.[1] ?? '(none)';
      counts.set(id, (counts.get(id) ?? 0) + 1);
      accepted++;
      bytes += raw.length;
      if (raw.includes('Content-Type: application/pdf')) withPdf++;
      callback(null, 'queued');
    });
  },
});
server.on('error', () => undefined); // a sender that goes away resets its connections
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.server.address() as AddressInfo).port}\n`);
});
process.on('message', (m: { type: string }) => {
  if (m.type === 'stats') {
    const cpu = process.cpuUsage();
    process.send!({ accepted, distinct: counts.size, withPdf, bytes, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  if (m.type === 'reset') {
    counts.clear();
    accepted = withPdf = bytes = 0;
    process.send!({ reset: true });
  }
});
process.on('disconnect', () => process.exit(0));
