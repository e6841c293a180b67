import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import PostalMime from 'postal-mime';

/** Without TESSERA_SMTP_URL, mail is written here, one .eml file (RFC 5322) a message: `npx tessera mail` prints them. */
export function outboxDir(dataDir: string): string {
  return path.join(dataDir, 'outbox');
}

/** Within one process, messages of one millisecond (a frozen test clock) keep their order. */
let sequence = 0;

/**
 * A name in the outbox that sorts by time: the ISO time (colons made dashes, which every file system
 * takes), a per-process sequence, and random characters so that two processes never write the same name.
 * Taken when a message is handed to the outbox, before it is built: messages built at once (nodemailer
 * builds each asynchronously) keep the order they were sent in.
 */
export function outboxFileName(now: number): string {
  sequence = (sequence + 1) % 1_000_000;
  return `${new Date(now).toISOString().replaceAll(':', '-')}-${String(sequence).padStart(6, '0')}-${randomBytes(4).toString('hex')}.eml`;
}

/** Writes a message into the outbox under `name` ({@link outboxFileName}). Mode 0600: a sign-up link in it creates a platform. */
export async function writeToOutbox(dir: string, name: string, message: Buffer): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(dir, name), message, { mode: 0o600, flag: 'wx' });
}

/** A message of the outbox as a person reads it. */
export interface OutboxMessage {
  file: string;
  date: string | undefined;
  to: string;
  subject: string;
  text: string;
}

/** The outbox's messages, newest first (all of them, or the newest `limit`); an outbox not made yet is empty. */
export async function readOutbox(dir: string, limit = Number.POSITIVE_INFINITY): Promise<OutboxMessage[]> {
  const messages: OutboxMessage[] = [];
  for await (const message of outboxMessages(dir)) {
    if (messages.length >= limit) break;
    messages.push(message);
  }
  return messages;
}

/** The outbox's messages one by one, newest first, each read when asked for. */
export async function* outboxMessages(dir: string): AsyncGenerator<OutboxMessage> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((name) => name.endsWith('.eml'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const file of files.sort().reverse()) {
    // postal-mime decodes what nodemailer encoded: quoted-printable bodies, RFC 2047 headers.
    const parsed = await PostalMime.parse(await readFile(path.join(dir, file)));
    yield {
      file,
      date: parsed.date,
      to: (parsed.to ?? []).map((to) => to.address ?? '').join(', '),
      subject: parsed.subject ?? '',
      text: (parsed.text ?? '').replace(/\r\n/g, '\n').trimEnd(),
    };
  }
}
