import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify-audit.js';
import type { Services } from '../../src/services.js';
import { startDeployment } from '../support/bootstrap.js';
import { PASSWORD, PortalBrowser, signedUpAdmin } from '../support/portal.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

/**
 * Issue 19, point 14: the copy icon puts a key on the clipboard without showing it, and the audit log says
 * so (`copy`), apart from a reveal (`reveal`, the eye icon); the hash chain holds both.
 */
describe.each(STORE_KINDS)('copying an API key from the portal on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let ann: PortalBrowser;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ store }));
    ann = await signedUpAdmin(app, 'copier@example.com', 'copiers');
  });
  afterAll(async () => env?.close());

  const logOf = async (platformName: string) => {
    const platform = await services.platforms.findByName(platformName);
    return (await services.auditLog.chain(platform!.id)).map((e) => [e.actor, e.action, e.target_id, e.outcome]);
  };

  it('copies the key, recorded as copy; the eye icon is recorded as reveal', async () => {
    const created = (await ann.post('/api-keys')).json();
    const copied = await ann.post(`/api-keys/${created.id}/copy`);
    expect(copied.statusCode).toBe(200);
    expect(copied.headers['cache-control']).toBe('no-store');
    expect(copied.json()).toStrictEqual({ id: created.id, apiKey: created.apiKey });
    expect((await ann.post(`/api-keys/${created.id}/reveal`)).json()).toStrictEqual({ id: created.id, apiKey: created.apiKey });

    expect((await logOf('copiers')).slice(-3)).toEqual([
      ['copier@example.com', 'generate', created.id, 'success'],
      ['copier@example.com', 'copy', created.id, 'success'],
      ['copier@example.com', 'reveal', created.id, 'success'],
    ]);
    // The log's filter knows the action, and the chain still verifies.
    const filtered = (await ann.get('/audit?action=copy')).json();
    expect(filtered.entries.map((e: { action: string; targetId: string }) => [e.action, e.targetId])).toEqual([['copy', created.id]]);
    expect(JSON.stringify(filtered)).not.toContain(created.apiKey);
    expect(await verifyAudit(services)).toMatchObject({ ok: true });
  });

  it('asks what reveal asks: an admin, a recent password, the platform’s own key', async () => {
    const { id } = (await ann.post('/api-keys')).json();
    const invited = (await ann.post('/invitations', { email: 'member@example.com', role: 'member' })).json();
    const member = new PortalBrowser(app);
    await member.post('/invitations/accept', { token: invited.link.split('/').at(-1), password: PASSWORD });
    const refused = await member.post(`/api-keys/${id}/copy`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toStrictEqual({ error: 'forbidden', message: 'Only an admin can copy API keys' });

    const other = new PortalBrowser(app);
    await other.signUp('other-copier@example.com', 'other-copiers');
    const missing = await other.post(`/api-keys/${id}/copy`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toStrictEqual({ error: 'not_found', message: `API key ${id} does not exist` });
    // A refused copy of another platform's key writes nothing in either log.
    expect((await logOf('other-copiers')).map(([, action]) => action)).toEqual(['sign_up']);

    env.clock.advance(6 * 60_000);
    const stale = await ann.post(`/api-keys/${id}/copy`);
    expect(stale.statusCode).toBe(403);
    expect(stale.json()).toStrictEqual({ error: 'reauthentication_required', message: 'Enter your password again to continue' });
    await ann.post('/session/reauth', { password: PASSWORD });
    expect((await ann.post(`/api-keys/${id}/copy`)).statusCode).toBe(200);
  });
});
