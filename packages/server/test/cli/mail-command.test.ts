import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMailer } from '../../src/mail/mailer.js';
import { outboxDir } from '../../src/mail/outbox.js';
import { tesseraInProcess, tesseraJsonInProcess } from '../support/cli-in-process.js';
import { cliEnvOf, tessera } from '../support/processes.js';
import { startDeployment } from '../support/bootstrap.js';
import type { TestEnvironment } from '../support/services.js';

/**
 * `tessera mail` in its own process: the outbox a server without TESSERA_SMTP_URL writes to. The other
 * answers run the same program in this process (support/cli-in-process.ts), a Node start-up spared each.
 */
describe('tessera mail', () => {
  let env: TestEnvironment;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    ({ env } = await startDeployment());
    cliEnv = cliEnvOf(env.config, { TESSERA_SMTP_URL: '' });
  });
  afterAll(async () => env?.close());

  const SLOW = 90_000;

  it('says the outbox is empty, then prints the newest message (or -n of them) with its link, as text and as JSON', { timeout: SLOW }, async () => {
    const dir = outboxDir(env.config.dataDir);
    expect(await tessera(['mail'], cliEnv)).toMatchObject({ code: 0, stdout: `The outbox ${dir} is empty\n` });
    expect((await tesseraInProcess(['mail'], { ...cliEnv, TESSERA_SMTP_URL: 'smtp://mail.example:587' })).stdout).toBe(
      `The outbox ${dir} is empty (TESSERA_SMTP_URL is set: the server sends its mail there, not to this folder)\n`,
    );

    // What a server writes (mail/mailer.ts's outbox channel), one message after another.
    const mailer = openMailer({ smtpUrl: undefined, mailFrom: 'Tessera <tessera@localhost>', dataDir: env.config.dataDir }, { warn: () => {} }, env.clock.now);
    mailer.send({ to: 'older@example.com', subject: 'Finish creating older', text: 'The older message' }, 'test');
    await mailer.idle();
    env.clock.advance(1000);
    mailer.send({ to: 'ann@example.com', subject: 'Finish creating acme', text: 'Open this link:\n\nhttp://127.0.0.1:8080/#/signup/tsu_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG' }, 'test');
    await mailer.close();

    const newest = await tessera(['mail'], cliEnv);
    expect(newest).toMatchObject({
      code: 0,
      stdout: [
        'To: ann@example.com',
        'Subject: Finish creating acme',
        'Date: 2026-11-28T12:00:01.000Z',
        '',
        'Open this link:',
        '',
        'http://127.0.0.1:8080/#/signup/tsu_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG',
        '',
      ].join('\n'),
    });
    const both = await tesseraJsonInProcess(['mail', '-n', '2'], cliEnv);
    expect(both).toStrictEqual({
      code: 0,
      json: {
        outbox: dir,
        messages: [
          { to: 'ann@example.com', subject: 'Finish creating acme', date: '2026-11-28T12:00:01.000Z', text: expect.stringContaining('tsu_0123456789') },
          { to: 'older@example.com', subject: 'Finish creating older', date: '2026-11-28T12:00:00.000Z', text: 'The older message' },
        ],
      },
    });
    expect((await tesseraInProcess(['mail', '-n', '0'], cliEnv)).code).not.toBe(0);
  });
});
