// Screenshots of every page, with data and empty, at 1280×800 and 390×844, served by `vite preview`
// with the mock API and the server's CSP. Usage: node packages/portal/test/screenshots/take-screenshots.mjs [outDir]
// (after `npm run build --workspace @tessera/portal`). The pictures are for looking at, not for the repo.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { preview } from 'vite';
import { createMockApi } from './mock-api.mjs';

const portal = fileURLToPath(new URL('../..', import.meta.url));
const out = process.argv[2] ?? '/tmp/portal-shots';
const only = process.argv[3];
mkdirSync(out, { recursive: true });

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
const server = await preview({
  root: portal,
  logLevel: 'warn',
  preview: { port: 4399, host: '127.0.0.1', strictPort: true, headers: { 'content-security-policy': CSP } },
  plugins: [{ name: 'mock-api', configurePreviewServer: (s) => void s.middlewares.use(createMockApi()) }],
});
const base = 'http://127.0.0.1:4399';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});

const problems = [];
const mock = (query) => fetch(`${base}/__mock?${query}`);

async function shot(name, { hash, data = 'full', signedIn = '1', role = 'admin', policy = 'quota', act }) {
  for (const [label, viewport] of [['wide', { width: 1280, height: 800 }], ['narrow', { width: 390, height: 844 }]]) {
    await mock(`data=${data}&signedIn=${signedIn}&role=${role}&reauthed=1&policy=${policy}`);
    const page = await browser.newPage({ viewport });
    page.on('console', (m) => m.type() === 'error' && problems.push(`${name}/${label}: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`${name}/${label}: ${e.message}`));
    await page.goto(`${base}/${hash}`);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(150);
    if (act) await act(page, label);
    await page.waitForTimeout(250);
    await page.screenshot({ path: `${out}/${name}-${label}.png`, fullPage: label === 'narrow' && !name.startsWith('audit') });
    await page.close();
  }
}

const pages = [
  ['signin', { hash: '#/signin', signedIn: '0' }],
  ['signin-error', { hash: '#/signin', signedIn: '0', act: async (p) => { await p.fill('#signin-email', 'dana@acme.example'); await p.fill('#signin-password', 'wrong'); await p.click('button[type=submit]'); } }],
  ['signup', { hash: '#/signup', signedIn: '0' }],
  ['signup-sent', { hash: '#/signup', signedIn: '0', act: async (p) => { await p.fill('#signup-email', 'dana@acme.example'); await p.fill('#signup-platform', 'acme'); await p.click('button[type=submit]'); } }],
  ['signup-finish', { hash: '#/signup/tsu_abc', signedIn: '0' }],
  ['signup-link-used', { hash: '#/signup/used', signedIn: '0' }],
  ['invitation', { hash: '#/invitation/abc', signedIn: '0' }],
  ['invitation-used', { hash: '#/invitation/used', signedIn: '0' }],
  ['team', { hash: '#/team' }],
  ['oauth-clients', { hash: '#/team/oauth-clients' }],
  ['oauth-clients-empty', { hash: '#/team/oauth-clients', data: 'empty' }],
  ['oauth-clients-rate', { hash: '#/team/oauth-clients', policy: 'rate' }],
  ['oauth-clients-member', { hash: '#/team/oauth-clients', role: 'member' }],
  ['oauth-clients-generated', { hash: '#/team/oauth-clients', data: 'empty', act: async (p) => { await p.getByRole('button', { name: 'Generate Client Credentials' }).click(); await p.fill('#client-name', 'Staging'); await p.getByRole('button', { name: 'Generate', exact: true }).click(); } }],
  ['oauth-clients-reset', { hash: '#/team/oauth-clients', act: async (p) => { await p.getByRole('button', { name: 'Reset quota' }).first().click(); await p.getByRole('dialog').getByRole('button', { name: 'Reset quota' }).click(); } }],
  ['oauth-clients-confirm', { hash: '#/team/oauth-clients', act: async (p) => { await p.getByRole('button', { name: 'Deactivate' }).first().click(); } }],
  ['api-keys', { hash: '#/team/api-keys' }],
  ['api-keys-copied', { hash: '#/team/api-keys', act: async (p) => { await p.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base }); await p.locator('code.secret-value').first().click(); } }],
  ['api-keys-revealed', { hash: '#/team/api-keys', act: async (p) => { await p.getByRole('button', { name: /^Reveal key/ }).first().click(); } }],
  ['api-keys-reauth', { hash: '#/team/api-keys', act: async (p) => { await mock('reauthed=0'); await p.getByRole('button', { name: /^Reveal key/ }).first().click(); } }],
  ['api-keys-empty', { hash: '#/team/api-keys', data: 'empty' }],
  ['members', { hash: '#/team/members' }],
  ['members-empty', { hash: '#/team/members', data: 'empty' }],
  ['audit', { hash: '#/audit' }],
  ['audit-empty', { hash: '#/audit', data: 'empty' }],
  ['not-found', { hash: '#/nowhere' }],
  ['menu-open', { hash: '#/team', act: async (p, label) => { if (label === 'narrow') await p.getByRole('button', { name: 'Open menu' }).click(); } }],
];
for (const [name, options] of pages) if (!only || name.includes(only)) await shot(name, options);

await browser.close();
await server.close();
console.log(problems.length ? `Problems:\n${problems.join('\n')}` : 'No console errors.');
