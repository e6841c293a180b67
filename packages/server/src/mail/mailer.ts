import type { FastifyBaseLogger } from 'fastify';
import nodemailer from 'nodemailer';
import type { MailMessage } from './mail-message.js';
import { outboxDir, outboxFileName, writeToOutbox } from './outbox.js';

/** Where mail goes: an SMTP server, or the outbox folder of a machine without one. */
export interface MailChannel {
  /** true: the outbox folder (a person reads it with `npx tessera mail`). */
  readonly outbox: boolean;
  /** For the start-up log: never the SMTP URL's credentials. */
  readonly description: string;
  deliver(message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * SMTP through nodemailer: `smtp://` upgrades with STARTTLS when the server offers it, `smtps://` is TLS
 * from the start (RFC 8314). Timeouts short enough that a silent server does not hold sends for minutes.
 */
export function smtpChannel(smtpUrl: string, from: string): MailChannel {
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 }, { from });
  const { protocol, host } = new URL(smtpUrl);
  return {
    outbox: false,
    description: `${protocol}//${host}`,
    deliver: async (message) => {
      await transport.sendMail(message);
    },
    close: () => transport.close(),
  };
}

/** Messages as .eml files in DATA_DIR/outbox/, built by nodemailer's stream transport as SMTP would send them. */
export function outboxChannel(dataDir: string, from: string, now: () => number): MailChannel {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }, { from });
  const dir = outboxDir(dataDir);
  return {
    outbox: true,
    description: dir,
    deliver: async (message) => {
      // The Date header and the file name by the server's clock (tests freeze it); the name is taken
      // before the message is built, so that messages keep the order they were sent in.
      const at = now();
      const name = outboxFileName(at);
      const info = await transport.sendMail({ ...message, date: new Date(at) });
      await writeToOutbox(dir, name, info.message as Buffer);
    },
    close: () => transport.close(),
  };
}

/**
 * Sends the server's mail in the background: {@link send} returns at once, so no answer waits for an SMTP
 * server or changes with one (a slow or failing server must not tell an address's sign-up from another's:
 * accounts/verified-sign-up.ts). A failure is logged by its kind only: never the message, its link or its
 * recipient.
 */
export class Mailer {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly channel: MailChannel,
    private readonly log: Pick<FastifyBaseLogger, 'warn'>,
  ) {}

  /** Whether mail goes to the outbox folder rather than an SMTP server. */
  get outbox(): boolean {
    return this.channel.outbox;
  }

  get description(): string {
    return this.channel.description;
  }

  /** Sends `message` after the current request's work (`what` names it in a failure's log line). */
  send(message: MailMessage, what: string): void {
    const sending = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.channel.deliver(message))
      .catch((error: unknown) => {
        const { code, responseCode } = error as { code?: string; responseCode?: number };
        this.log.warn({ mail: what, code, responseCode }, `mail could not be sent (${this.channel.outbox ? 'outbox' : 'SMTP'})`);
      });
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  /** Resolves once every message sent so far is delivered or has failed. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  /** Waits for the messages in flight, then closes the channel. */
  async close(): Promise<void> {
    await this.idle();
    this.channel.close();
  }
}

/** The channel the settings say: TESSERA_SMTP_URL, else the outbox folder. */
export function openMailer(config: { smtpUrl: string | undefined; mailFrom: string; dataDir: string }, log: Pick<FastifyBaseLogger, 'warn'>, now: () => number): Mailer {
  const channel = config.smtpUrl ? smtpChannel(config.smtpUrl, config.mailFrom) : outboxChannel(config.dataDir, config.mailFrom, now);
  return new Mailer(channel, log);
}
