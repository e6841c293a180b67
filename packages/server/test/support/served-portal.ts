import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchBrowser } from './browser.js';
import { freePort } from './listen.js';
import { PASSWORD } from './portal.js';
import { sqliteServerEnv, startServer } from './processes.js';

/** The suite's `tessera serve` and Chromium, read inside its tests (they exist once `beforeAll` has run). */
export type ServedPortal = {
  readonly url: string;
  readonly browser: Browser;
  /** The server's environment, for `tessera` commands against the same data. */
  readonly env: Record<string, string>;
  readonly dataDir: string;
};

/**
 * `tessera serve` as `npm start` runs it (SQLite in a temporary folder), with `env` added, and a Chromium:
 * started before the suite, stopped after it.
 */
export function servedPortal(dataDirPrefix: string, env: Record<string, string> = {}): ServedPortal {
  let dataDir: string | undefined;
  let serverEnv: Record<string, string> | undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), dataDirPrefix));
    const port = await freePort();
    serverEnv = { ...sqliteServerEnv(dataDir, port), ...env };
    server = await startServer(serverEnv);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });
  return {
    get url() {
      if (!server) throw new Error('the server starts in beforeAll');
      return server.url;
    },
    get browser() {
      if (!browser) throw new Error('the browser starts in beforeAll');
      return browser;
    },
    get env() {
      if (!serverEnv) throw new Error('the server starts in beforeAll');
      return serverEnv;
    },
    get dataDir() {
      if (!dataDir) throw new Error('the data folder is made in beforeAll');
      return dataDir;
    },
  };
}

/** Signs up ada@acme.example as the admin of `acme` on the page, and waits for Team settings: with `TESSERA_PORTAL_SIGNUP: 'open'` (no mailed link). */
export async function signUpAcme(p: Page, url: string): Promise<void> {
  await p.goto(`${url}/#/signup`);
  await p.getByRole('heading', { name: 'Set up an account' }).waitFor();
  await p.getByLabel('Email').fill('ada@acme.example');
  await p.getByLabel('Password').fill(PASSWORD);
  await p.getByLabel('Platform name').fill('acme');
  await p.getByRole('button', { name: 'Create account' }).click();
  await expect.poll(() => p.url(), { timeout: 20_000 }).toContain('#/team');
}

/** A new API key of `acme`, generated through the portal's API in the page's session, as a Basic header. */
export async function acmeApiKeyBasic(p: Page, url: string): Promise<string> {
  const session = (await (await p.request.get(`${url}/portal/api/session`)).json()) as { csrfToken: string };
  const key = await p.request.post(`${url}/portal/api/api-keys`, { headers: { 'x-csrf-token': session.csrfToken } });
  expect(key.status()).toBe(201);
  return `Basic ${Buffer.from(`acme:${((await key.json()) as { apiKey: string }).apiKey}`).toString('base64')}`;
}
