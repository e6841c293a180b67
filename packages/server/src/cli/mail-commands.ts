import { type Command, InvalidArgumentError } from 'commander';
import { outboxDir, readOutbox } from '../mail/outbox.js';
import { run, withJson, type Output } from './run.js';

interface MailOptions extends Output {
  count: number;
}

function count(value: string): number {
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('use a whole number from 1');
  return Number(value);
}

/**
 * `tessera mail`: the newest messages of the outbox folder, where the server writes its mail when no
 * SMTP server is set (TESSERA_SMTP_URL), so a newcomer on `npm start` can follow their sign-up link.
 */
export function registerMailCommands(program: Command): void {
  withJson(program.command('mail').description("print the newest messages of the server's outbox (its mail when TESSERA_SMTP_URL is not set)"))
    .option('-n, --count <n>', 'how many of the newest messages', count, 1)
    .action((options: MailOptions) =>
      run(options, async (services) => {
        const dir = outboxDir(services.config.dataDir);
        const messages = await readOutbox(dir, options.count);
        const smtp = services.config.smtpUrl ? ' (TESSERA_SMTP_URL is set: the server sends its mail there, not to this folder)' : '';
        const text =
          messages.length === 0
            ? `The outbox ${dir} is empty${smtp}`
            : messages.map((m) => [`To: ${m.to}`, `Subject: ${m.subject}`, `Date: ${m.date ?? ''}`, '', m.text].join('\n')).join('\n\n----\n\n');
        return { json: { outbox: dir, messages: messages.map(({ to, subject, date, text }) => ({ to, subject, date, text })) }, text };
      }),
    );
}
