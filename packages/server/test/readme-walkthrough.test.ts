import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/listen.js';
import { startServer } from './support/processes.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const README_URL = 'http://127.0.0.1:8080';

/**
 * The README from its walk-through on: the sh blocks to run in order (all but those right after a
 * `<!-- not run: why -->` comment), and the files its js blocks name.
 */
export function walkthrough(readme: string): { script: string; files: Map<string, string>; notRun: string[] } {
  const start = readme.indexOf('<!-- walkthrough:start');
  if (start < 0) throw new Error('README.md has no walkthrough:start marker');
  const blocks = [...readme.slice(start).matchAll(/(?:^<!-- not run: (.*) -->\n)?^```(\w+)\n([\s\S]*?)^```$/gm)].map(([, notRun, lang, body]) => ({
    notRun,
    lang: lang!,
    body: body!,
  }));
  const files = new Map<string, string>();
  for (const { body } of blocks.filter((b) => b.lang === 'js')) {
    const name = /^\/\/ ([\w.-]+\.mjs)\b/.exec(body)?.[1];
    if (name) files.set(name, body);
  }
  const sh = blocks.filter((b) => b.lang === 'sh');
  return {
    script: sh
      .filter((b) => b.notRun === undefined)
      .map((b) => b.body)
      .join('\n'),
    files,
    notRun: sh.flatMap((b) => (b.notRun === undefined ? [] : [b.notRun])),
  };
}

// Runs the README as a newcomer would: its shell blocks in order, in one shell, against a fresh
// server, in a folder of the project (so `npx tessera` and `@tessera/client` resolve as they do for
// a reader). Only the port differs: the README's 8080 may be taken. The shell is the reader's second
// terminal: it has neither the server's PORT nor its public URL.
describe('the README walk-through', { timeout: 300_000 }, () => {
  const work = path.join(REPO, `.tessera-test-readme-${randomBytes(4).toString('hex')}`);
  const env = {
    TESSERA_DATA_DIR: path.join(work, 'data'),
    HOME: path.join(work, 'home'), // tessera-token's default token file lives under it
    XDG_CACHE_HOME: '',
    TESSERA_MASTER_KEY: '',
    DATABASE_URL: '',
    REDIS_URL: '',
    LOG_LEVEL: 'warn',
    HOST: '',
    PORT: '',
    TESSERA_PUBLIC_URL: '',
  };
  let server: Awaited<ReturnType<typeof startServer>>;
  let port: number;

  beforeAll(async () => {
    await mkdir(env.HOME, { recursive: true });
    port = await freePort();
    server = await startServer({ ...env, HOST: '127.0.0.1', PORT: String(port) });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('runs from the first command to the last, reusing one token', async () => {
    const { script, files, notRun } = walkthrough(await readFile(path.join(REPO, 'README.md'), 'utf8'));
    // What is left out says why: installing packages into the project, PostgreSQL, Docker.
    expect(notRun).toHaveLength(3);
    for (const [name, body] of files) await writeFile(path.join(work, name), body.replaceAll(README_URL, server.url));
    const shell = ['set -euo pipefail', script.replaceAll(README_URL, server.url)].join('\n');

    const run = promisify(execFile);
    let stdout: string;
    try {
      ({ stdout } = await run('bash', ['-c', shell], { cwd: work, env: { ...process.env, ...env }, timeout: 290_000 }));
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      throw new Error(`the walk-through stopped (exit ${failed.code}):\n${failed.stdout}\n${failed.stderr}`);
    }

    // Every call it makes succeeds, except the one it makes to show the quota refusal.
    expect(stdout).not.toMatch(/"httpCode":\s*4/);
    expect(stdout.match(/rate_limit_exceeded/g)).toHaveLength(1);
    expect(stdout).toContain('has exceeded the daily rate limit');
    expect(stdout).toContain('"customerIdentifier":"acme-customer"');
    expect(stdout).toContain('"accountIdentifier":"acme-account"');
    // The reward flow: the card registered (201) by its last four, never its number; the $100 deposit
    // (200, with the 3.5 % fee) raises the balance from 0 (as the account was created) to 100; the order
    // sent twice with one externalRefID answers the same order (201) both times and takes $10 once; the
    // list holds that one order.
    expect(stdout).toMatch(/^\{"token":"[0-9a-f-]{36}","label":"Acme Visa","lastFourDigits":"1111",.*"status":"ACTIVE",.*\}\n201$/m);
    expect(stdout).not.toContain('4111111111111111');
    expect(stdout).toMatch(/^\{"referenceDepositID":"RA[\d-]+",.*"amount":100,"feePercent":3\.5,"amountCharged":103\.5,"status":"SUCCESS",.*\}\n200$/m);
    const balances = [...stdout.matchAll(/^\{"accountIdentifier":"acme-account",.*"currentBalance":([\d.]+),/gm)].map((m) => Number(m[1]));
    expect(balances).toEqual([0, 100, 90]);
    const orders = [...stdout.matchAll(/^(\{"referenceOrderID":.*\})\n201$/gm)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
    expect(orders).toHaveLength(2);
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[0]).toMatchObject({ utid: 'U857123', externalRefID: 'acme-order-0001', status: 'COMPLETE', amountCharged: { value: 10, currencyCode: 'USD', total: 10 } });
    const list = JSON.parse(/^\{"orders":.*$/m.exec(stdout)![0]) as { orders: Record<string, unknown>[]; page: unknown };
    expect(list.page).toEqual({ elementsPerBlock: 10, number: 0, resultCount: 1, totalCount: 1 });
    expect(list.orders).toEqual([expect.objectContaining({ referenceOrderID: orders[0]!.referenceOrderID, externalRefID: 'acme-order-0001', utid: 'U857123' })]);
    // The API key rotation: the old key refused once deactivated, the new one taken.
    expect(stdout).toContain('\n401\n200\n');
    // The invitation link is on the running server's URL, which this shell was never told.
    expect(stdout).toMatch(new RegExp(`^${server.url.replaceAll('.', '\\.')}/#/invitation/tsi_[0-9A-Za-z]{43}$`, 'm'));
    expect(stdout).toContain('Withdrew the invitation of ann@acme.example');
    expect(stdout).toMatch(/^OK: \d+ audit entries verified$/m);
    expect(stdout).not.toMatch(/Error|undefined|null\n/);
  });
});
