import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { archiveAudit } from '../../src/audit/archive-audit.js';
import type { Services } from '../../src/services.js';
import { PortalBrowser } from '../support/portal.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

describe.each(STORE_KINDS)('the portal audit log on %s', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let services: Services;
  let ann: PortalBrowser;
  let clientId: string;

  beforeAll(async () => {
    ({ env, app, services } = await startDeployment({ store }));
    ann = new PortalBrowser(app);
    await ann.signUp('audit@example.com', 'audited'); // seq 1, 12:00
    env.clock.advance(60_000);
    clientId = (await ann.post('/oauth-clients', {}, { 'user-agent': '=HYPERLINK("x"),"evil"' })).json().clientId; // seq 2, 12:01
    env.clock.advance(60_000);
    await ann.post(`/oauth-clients/${clientId}/deactivate`); // seq 3, 12:02
    env.clock.advance(60_000);
    await ann.post(`/oauth-clients/${clientId}/activate`); // seq 4, 12:03
    // Another platform's entries never show.
    await new PortalBrowser(app).signUp('other@example.com', 'other-audited');
  });
  afterAll(async () => env?.close());

  it('pages newest first with next, and filters by action and time', async () => {
    const first = (await ann.get('/audit?limit=2')).json();
    expect(first.entries.map((e: { seq: number; action: string }) => [e.seq, e.action])).toEqual([
      [4, 'activate'],
      [3, 'deactivate'],
    ]);
    expect(first.next).toBe(3);
    expect(first.entries[0]).toStrictEqual({
      id: expect.stringMatching(/^aud_/),
      seq: 4,
      at: '2026-11-28T12:03:00.000Z',
      actor: 'audit@example.com',
      action: 'activate',
      targetId: clientId,
      sourceAddress: '127.0.0.1',
      userAgent: 'portal-test',
      outcome: 'success',
    });
    const second = (await ann.get(`/audit?limit=2&before=${first.next}`)).json();
    expect(second.entries.map((e: { seq: number }) => e.seq)).toEqual([2, 1]);
    expect(second.next).toBeNull();
    expect((await ann.get('/audit')).json().entries).toHaveLength(4);
    expect((await ann.get('/audit?action=deactivate')).json().entries.map((e: { seq: number }) => e.seq)).toEqual([3]);
    expect((await ann.get('/audit?from=2026-11-28T12:01:00Z&to=2026-11-28T12:02:00.000Z')).json().entries.map((e: { seq: number }) => e.seq)).toEqual([3, 2]);
  });

  it('refuses bad filters with 400 naming them', async () => {
    for (const [query, message] of [
      ['limit=0', 'The query parameter "limit" must be from 1 to 200'],
      ['limit=201', 'The query parameter "limit" must be from 1 to 200'],
      ['limit=ten', 'The query parameter "limit" must be a whole number'],
      ['from=yesterday', 'The query parameter "from" must be an ISO 8601 time, e.g. 2026-11-28T12:00:00Z'],
      ['from=2026-11-29&to=2026-11-28', 'Invalid time range: from is after to'],
      ['action=launch', 'Unknown audit action: use one of generate, activate, deactivate, delete, reveal, copy, reset_quota, sign_up, sign_in, sign_out, invite, join, remove_user, token_issued, token_refused, token_limit_observed, client_limits_changed, register_card, unregister_card, deposit, place_order, resend_order, reveal_reward'],
      ['sort=asc', 'The query parameter "sort" is not expected here'],
    ]) {
      const response = await ann.get(`/audit?${query}`);
      expect({ query, status: response.statusCode, body: response.json() }).toStrictEqual({ query, status: 400, body: { error: 'invalid_input', message } });
    }
  });

  it('exports the filtered log as CSV, with formulas defused', async () => {
    const response = await ann.get('/audit.csv?action=generate');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="audit-audited.csv"');
    const lines = response.body.split('\r\n');
    expect(lines[0]).toBe('at,actor,action,target_id,source_address,user_agent,outcome,seq,id');
    expect(lines[1]).toMatch(new RegExp(`^2026-11-28T12:01:00.000Z,audit@example.com,generate,${clientId},127.0.0.1,"'=HYPERLINK\\(""x""\\),""evil""",success,2,aud_\\w+$`));
    expect(lines.slice(2)).toEqual(['']);
    expect((await app.inject({ method: 'GET', url: '/portal/api/audit.csv' })).statusCode).toBe(401);
  });

  // Last: it archives the older entries out of the store.
  it('says from when the store holds entries, and whether older ones were archived', async () => {
    const held = async () => {
      const { entriesSince, olderArchived } = (await ann.get('/audit?limit=1')).json();
      return { entriesSince, olderArchived };
    };
    expect(await held()).toStrictEqual({ entriesSince: '2026-11-28T12:00:00.000Z', olderArchived: false });
    const file = path.join(env.config.dataDir, 'portal-archive.jsonl');
    await archiveAudit(services, { before: Date.parse('2026-11-28T12:02:00Z'), file, checkpointsFile: path.join(env.config.dataDir, 'checkpoints.jsonl') });
    expect(await held()).toStrictEqual({ entriesSince: '2026-11-28T12:02:00.000Z', olderArchived: true });
    const page = (await ann.get('/audit')).json();
    expect(page.entries.map((e: { seq: number }) => e.seq)).toEqual([4, 3]);
    expect(page.next).toBeNull();
  });
});
