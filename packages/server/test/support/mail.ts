import type { FastifyInstance } from 'fastify';
import { normaliseEmail } from '../../src/accounts/emails.js';
import { outboxDir, outboxMessages, type OutboxMessage } from '../../src/mail/outbox.js';
import { servicesOf } from './services.js';

/** The outbox folder of a test server's data folder (`tessera serve` without TESSERA_SMTP_URL). */
export { outboxDir };

/**
 * The newest message the server sent to `email`, once every message in flight is written (the app's
 * mailer sends after the answer): the outbox of a test environment, which sets no TESSERA_SMTP_URL.
 */
export async function newestMailTo(app: FastifyInstance, email: string): Promise<OutboxMessage | undefined> {
  const services = servicesOf(app);
  await services.mail.idle();
  return newestMailIn(outboxDir(services.config.dataDir), email);
}

/** The newest message to `email` in the outbox folder `dir`. */
export async function newestMailIn(dir: string, email: string): Promise<OutboxMessage | undefined> {
  const to = normaliseEmail(email);
  for await (const message of outboxMessages(dir)) if (message.to === to) return message;
  return undefined;
}

/** The sign-up link's token in a message, or undefined when it has none. */
export function signUpToken(message: OutboxMessage | undefined): string | undefined {
  return /\/#\/signup\/(tsu_[0-9A-Za-z]+)/.exec(message?.text ?? '')?.[1];
}
