import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mailer, openMailer } from '../../src/mail/mailer.js';
import { outboxDir, readOutbox } from '../../src/mail/outbox.js';
import { freePort } from '../support/listen.js';
import { TestClock } from '../support/services.js';

const FROM = 'Tessera <no-reply@tessera.test>';
const LINK = 'http://127.0.0.1:8080/#/signup/tsu_aLinkThatMustNeverBeLogged000000000000000';
const message = (to: string, subject = 'Finish creating acme') => ({ to, subject, text: `Open this link, café included, on a line longer than seventy-six characters:\n\n${LINK}` });

/** A warn log that keeps what it is given. */
function recordingLog(): Pick<FastifyBaseLogger, 'warn'> & { lines: string[] } {
  const lines: string[] = [];
  const warn = (fields: object, text?: string) => void lines.push(JSON.stringify({ fields, text }));
  return { lines, warn: warn as FastifyBaseLogger['warn'] };
}

/** An SMTP server that accepts every message (RFC 5321's happy path, no TLS offered) and keeps them. */
async function fakeSmtp(): Promise<{ server: Server; port: number; received: string[] }> {
  const received: string[] = [];
  const server = createServer((socket) => {
    socket.write('220 fake.test ESMTP\r\n');
    let buffer = '';
    let inData = false;
    let current = '';
    socket.on('data', (chunk) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            received.push(current);
            current = '';
            socket.write('250 2.0.0 queued\r\n');
          } else current += `${line}\n`;
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 fake.test\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 2.0.0 OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, received };
}

describe('the mail channel', () => {
  let dataDir: string;
  beforeAll(async () => (dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-mail-'))));
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('without TESSERA_SMTP_URL writes each message as an .eml file (0600) to DATA_DIR/outbox, named to sort by time, read back newest first', async () => {
    const clock = new TestClock();
    const mailer = openMailer({ smtpUrl: undefined, mailFrom: FROM, dataDir }, recordingLog(), clock.now);
    expect({ outbox: mailer.outbox, description: mailer.description }).toStrictEqual({ outbox: true, description: outboxDir(dataDir) });
    expect(await readOutbox(outboxDir(dataDir))).toStrictEqual([]);
    mailer.send(message('first@example.com'), 'test');
    mailer.send(message('second@example.com'), 'test');
    await mailer.idle();
    clock.advance(1000);
    mailer.send(message('josé@example.com', 'Finish creating café'), 'test');
    await mailer.close();

    const files = (await readdir(outboxDir(dataDir))).sort();
    expect(files).toHaveLength(3);
    expect(files[0]).toMatch(/^2026-11-28T12-00-00\.000Z-\d{6}-[0-9a-f]{8}\.eml$/);
    expect(files[2]).toMatch(/^2026-11-28T12-00-01\.000Z-/);
    expect((await stat(path.join(outboxDir(dataDir), files[0]!))).mode & 0o777).toBe(0o600);
    const newest = await readOutbox(outboxDir(dataDir));
    expect(newest.map(({ to, subject, text }) => ({ to, subject, text }))).toStrictEqual([
      { to: 'josé@example.com', subject: 'Finish creating café', text: message('').text },
      { to: 'second@example.com', subject: 'Finish creating acme', text: message('').text },
      { to: 'first@example.com', subject: 'Finish creating acme', text: message('').text },
    ]);
    expect((await readOutbox(outboxDir(dataDir), 1)).map((m) => m.to)).toStrictEqual(['josé@example.com']);
  });

  it('with TESSERA_SMTP_URL sends through that server, from TESSERA_MAIL_FROM, and names the server without its credentials', async () => {
    const smtp = await fakeSmtp();
    try {
      const mailer = openMailer({ smtpUrl: `smtp://user:secret@127.0.0.1:${smtp.port}`, mailFrom: FROM, dataDir }, recordingLog(), Date.now);
      expect({ outbox: mailer.outbox, description: mailer.description }).toStrictEqual({ outbox: false, description: `smtp://127.0.0.1:${smtp.port}` });
      mailer.send({ to: 'smtp@example.com', subject: 'Finish creating acme', text: 'Hello' }, 'test');
      await mailer.close();
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0]).toContain('From: Tessera <no-reply@tessera.test>\n');
      expect(smtp.received[0]).toContain('To: smtp@example.com\n');
      expect(smtp.received[0]).toContain('Subject: Finish creating acme\n');
    } finally {
      await new Promise((resolve) => smtp.server.close(resolve));
    }
  });

  it('returns from send at once, and logs a failed send by its kind alone: never the message, its link or its recipient', async () => {
    const log = recordingLog();
    const mailer = openMailer({ smtpUrl: `smtp://user:hunter2-secret@127.0.0.1:${await freePort()}`, mailFrom: FROM, dataDir }, log, Date.now);
    expect(mailer.send(message('failing@example.com'), 'sign_up')).toBeUndefined();
    expect(log.lines).toStrictEqual([]);
    await mailer.idle();
    expect(log.lines.map((line) => JSON.parse(line))).toStrictEqual([{ fields: { mail: 'sign_up', code: 'ESOCKET' }, text: 'mail could not be sent (SMTP)' }]);
    for (const secret of ['tsu_', 'failing@example.com', 'hunter2-secret', 'café']) expect(log.lines.join('\n')).not.toContain(secret);
    await mailer.close();
  });

  it('waits for the messages in flight on close', async () => {
    const held: Array<() => void> = [];
    const delivered: string[] = [];
    const mailer = new Mailer(
      {
        outbox: true,
        description: 'held',
        deliver: (m) => new Promise<void>((resolve) => held.push(() => (delivered.push(m.to), resolve()))),
        close: () => delivered.push('closed'),
      },
      recordingLog(),
    );
    mailer.send(message('held@example.com'), 'test');
    const closing = mailer.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(delivered).toStrictEqual([]);
    held[0]!();
    await closing;
    expect(delivered).toStrictEqual(['held@example.com', 'closed']);
  });
});
