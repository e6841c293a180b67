import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect, onTestFinished } from 'vitest';

// Headless Chromium for the suites that test what a person sees (the console, the portal): Debian's
// chromium, driven by playwright-core (no browser download). Outside CI a missing Chromium skips the
// suite and says why; in CI it must run, so a missing one fails.

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

/** Why the browser suites skip (`describe.skipIf` takes it), or false when Chromium is there; throws in CI. */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM_PATH)) return false;
  if (process.env.CI) throw new Error(`CI must run the browser suites, but there is no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
  console.warn(`Skipping the browser suites: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`);
  return `no Chromium at ${CHROMIUM_PATH}`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A browser test's timeout: several steps of up to 20 s each on a loaded machine. */
export const BROWSER_TEST_TIMEOUT = 120_000;

export const WIDE = { width: 1280, height: 800 };
export const NARROW = { width: 390, height: 844 };

/** True for loopback addresses and names: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * A new page in a context of its own (no cookies or storage shared between tests). Every request to a
 * host that is not loopback is refused and fails the test that made it: the pages load nothing from a
 * CDN or anywhere else. Errors the page logs (a script error, a CSP violation) fail it too.
 */
export async function openPage(browser: Browser, viewport = WIDE): Promise<Page> {
  const { page, context, expectClean } = await checkedPage(browser, viewport);
  onTestFinished(async () => {
    await context.close();
    expectClean();
  });
  return page;
}

/**
 * One page for the tests of a suite, for a page whose load is most of a test's time (Swagger UI parses
 * and renders for seconds on a loaded machine): the same checks as `openPage`, made after each test by
 * `expectClean` (call it in afterEach), which then starts a new count. The suite puts the page back as
 * a person would find it between tests, and `close` ends it (afterAll).
 */
export async function openSharedPage(browser: Browser, viewport = WIDE): Promise<{ page: Page; expectClean: () => void; close: () => Promise<void> }> {
  const { page, context, expectClean } = await checkedPage(browser, viewport);
  return { page, expectClean, close: () => context.close() };
}

async function checkedPage(browser: Browser, viewport: { width: number; height: number }): Promise<{ page: Page; context: BrowserContext; expectClean: () => void }> {
  const context = await browser.newContext({ viewport });
  // Room for a loaded 2-core machine (a page load took over 10 s beside other suites), and still well
  // inside the browser tests' own timeout (BROWSER_TEST_TIMEOUT), so a step that waits in vain says which.
  context.setDefaultTimeout(20_000);
  const offsite: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'ws:' || url.protocol === 'wss:') && !isLoopback(url.hostname)) {
      offsite.push(url.href);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    // A failed request is the test's to judge (a 401 it asked for); anything else logged as an error is a defect.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const expectClean = () => {
    const found = { offsite: offsite.splice(0), pageErrors: pageErrors.splice(0) };
    expect(found.offsite, 'requests to hosts other than loopback').toEqual([]);
    expect(found.pageErrors, 'errors the page logged').toEqual([]);
  };
  return { page, context, expectClean };
}

const SCREENSHOTS = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));

/**
 * Screenshots of the page, wide (1280×800) and narrow (390×844): `<name>.png` and `<name>-narrow.png`.
 * They go to docs/screenshots/ when TESSERA_SCREENSHOTS=1 (to refresh the README's pictures), else to a
 * temporary folder, so that a test run leaves the work tree as it was. Returns the two paths.
 */
export async function screenshot(page: Page, name: string): Promise<{ wide: string; narrow: string }> {
  const folder = process.env.TESSERA_SCREENSHOTS === '1' ? SCREENSHOTS : await mkdtemp(path.join(tmpdir(), 'tessera-screenshots-'));
  await mkdir(folder, { recursive: true });
  const original = page.viewportSize() ?? WIDE;
  const shots = { wide: path.join(folder, `${name}.png`), narrow: path.join(folder, `${name}-narrow.png`) };
  await page.setViewportSize(WIDE);
  await page.screenshot({ path: shots.wide });
  await page.setViewportSize(NARROW);
  await page.screenshot({ path: shots.narrow });
  await page.setViewportSize(original);
  return shots;
}
