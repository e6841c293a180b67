// A throwaway, in-memory stand-in for /portal/api (docs/portal-api.md), to look at the portal in a
// browser before the real server is wired in. Not shipped: it lives under test/.

const t = (iso) => new Date(iso).toISOString();
const DEFAULT_LIMITS = { perHour: null, perDay: null, mode: 'enforce', source: 'default' };
// The server's token policy (issue 22): its defaults, one new token per 20 hours; `policy=rate` in /__mock turns Tango's current one on.
const QUOTA_POLICY = { policy: 'quota', intervalSeconds: 72000, tokenLifetimeSeconds: 86400 };
const RATE_POLICY = { policy: 'rate', requestsPerSecond: 100, tokenLifetimeSeconds: 86400 };
const AUDIENCES = [
  { url: 'https://sandbox.example/raas/v2', ttlSeconds: 86400, default: true, api: null },
  { url: 'https://sandbox.example/raas/v2/short', ttlSeconds: 300, default: false, api: null },
  // A protected API (issue 23): where /forward-auth serves it and who may call it.
  { url: 'https://api.acme.example/', ttlSeconds: 3600, default: false, api: { host: 'api.acme.example', pathPrefix: '/v1', platforms: ['acme'], credentialKinds: null } },
];

function fullData() {
  return {
    clients: [
      { name: 'Production rewards service', clientId: 'cli_01JD8Z3K4M5N6P7Q8R9S0T1V2W', platform: 'acme', status: 'active', scope: 'raas.all', createdAt: t('2026-09-14T08:12:00Z'), lastTokenIssuedAt: t('2026-11-29T06:40:00Z'), nextTokenAt: t('2026-11-30T02:40:00Z'), limits: { perHour: 60, perDay: 1000, mode: 'enforce', source: 'client' } },
      { name: '', clientId: 'cli_01JC2B3C4D5E6F7G8H9J0K1M2N', platform: 'acme', status: 'inactive', scope: 'raas.all', createdAt: t('2026-03-02T15:30:00Z'), lastTokenIssuedAt: null, nextTokenAt: null, limits: DEFAULT_LIMITS },
    ],
    keys: [
      { id: 'key_01JD9A1B2C3D4E5F6G7H8J9K0M', platform: 'acme', status: 'active', createdAt: t('2026-10-01T09:00:00Z'), statusChangedAt: t('2026-10-01T09:00:00Z'), lastUsedAt: t('2026-11-29T10:02:00Z') },
      { id: 'key_01J5Q6R7S8T9V0W1X2Y3Z4A5B6', platform: 'acme', status: 'inactive', createdAt: t('2026-04-11T09:00:00Z'), statusChangedAt: t('2026-10-02T09:00:00Z'), lastUsedAt: t('2026-10-02T08:59:00Z') },
    ],
    users: [
      { id: 'usr_1', email: 'dana@acme.example', role: 'admin', createdAt: t('2026-03-01T10:00:00Z') },
      { id: 'usr_2', email: 'li.wei@acme.example', role: 'member', createdAt: t('2026-05-20T12:00:00Z') },
    ],
    invitations: [
      { id: 'inv_1', email: 'sam@acme.example', role: 'member', createdAt: t('2026-11-28T09:00:00Z'), expiresAt: t('2026-12-05T09:00:00Z') },
    ],
    audit: Array.from({ length: 60 }, (_, i) => {
      const actions = ['reveal', 'generate', 'deactivate', 'sign_in', 'token_issued', 'token_refused', 'reset_quota', 'invite'];
      const action = actions[i % actions.length];
      return {
        id: `aud_${i}`,
        seq: 1000 - i,
        at: new Date(Date.parse('2026-11-29T10:00:00Z') - i * 3_600_000).toISOString(),
        actor: action.startsWith('token') ? 'cli_01JD8Z3K4M5N6P7Q8R9S0T1V2W' : 'dana@acme.example',
        action,
        targetId: action === 'sign_in' || action === 'invite' ? 'usr_1' : action === 'reveal' ? 'key_01JD9A1B2C3D4E5F6G7H8J9K0M' : 'cli_01JD8Z3K4M5N6P7Q8R9S0T1V2W',
        sourceAddress: i % 5 === 4 ? null : '203.0.113.24',
        userAgent: i % 5 === 4 ? null : 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
        outcome: action === 'token_refused' ? 'failure' : 'success',
      };
    }),
  };
}

const emptyData = () => ({ clients: [], keys: [], users: [{ id: 'usr_1', email: 'dana@acme.example', role: 'admin', createdAt: t('2026-03-01T10:00:00Z') }], invitations: [], audit: [] });

export function createMockApi() {
  const state = { signedIn: true, role: 'admin', data: fullData(), reauthed: false, tokenPolicy: QUOTA_POLICY };
  const session = () => ({
    user: { id: 'usr_1', email: 'dana@acme.example', role: state.role },
    platform: { name: 'acme' },
    csrfToken: 'csrf-mock',
    authenticatedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 1_800_000).toISOString(),
  });

  return async function handle(req, res, next) {
    const url = new URL(req.url, 'http://mock');
    if (url.pathname === '/__mock') {
      const p = url.searchParams;
      if (p.has('data')) state.data = p.get('data') === 'empty' ? emptyData() : fullData();
      if (p.has('signedIn')) state.signedIn = p.get('signedIn') === '1';
      if (p.has('role')) state.role = p.get('role');
      if (p.has('reauthed')) state.reauthed = p.get('reauthed') === '1';
      if (p.has('policy')) state.tokenPolicy = p.get('policy') === 'rate' ? RATE_POLICY : QUOTA_POLICY;
      res.statusCode = 204;
      return res.end();
    }
    if (!url.pathname.startsWith('/portal/api/')) return next();
    const route = `${req.method} ${url.pathname.slice('/portal/api'.length)}`;
    let body = '';
    for await (const chunk of req) body += chunk;
    const input = body ? JSON.parse(body) : {};
    const send = (status, value) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(value === undefined ? '' : JSON.stringify(value));
    };
    const fail = (status, error, message) => send(status, { error, message });
    if (route === 'POST /invitations/preview') {
      if (input.token === 'used') return fail(404, 'not_found', 'This invitation link is not valid: it was used, withdrawn or has expired');
      return send(200, { platform: 'acme', email: 'sam@acme.example', role: 'member' });
    }
    // Verified sign-up (the server's default): the form, a link mailed alike for every address, its page.
    if (route === 'GET /signup') return send(200, { mode: 'verified' });
    if (route === 'POST /signup') return send(202, { status: 'link_sent', expiresIn: 3600, outbox: true });
    if (route === 'POST /signup/preview') {
      if (input.token === 'used') return fail(404, 'not_found', 'This sign-up link is not valid: it was used or has expired. Sign up again to get a new one');
      return send(200, { platform: 'acme', email: 'dana@acme.example' });
    }
    if (['POST /signin', 'POST /signup/finish', 'POST /invitations/accept'].includes(route)) {
      if (input.password === 'wrong') return fail(401, 'invalid_credentials', 'The email or password is not correct');
      state.signedIn = true;
      state.reauthed = true;
      return send(route === 'POST /signin' ? 200 : 201, session());
    }
    if (!state.signedIn) return fail(401, 'unauthenticated', 'Sign in to continue');
    const d = state.data;
    const needsReauth = () => (state.reauthed ? false : (fail(403, 'reauthentication_required', 'Enter your password again to continue'), true));
    let m;
    if (route === 'GET /session') return send(200, session());
    if (route === 'POST /signout') { state.signedIn = false; res.statusCode = 204; return res.end(); }
    if (route === 'POST /session/reauth') {
      if (input.password === 'wrong') return fail(401, 'invalid_credentials', 'The email or password is not correct');
      state.reauthed = true;
      return send(200, session());
    }
    // Under rate there is no quota: no next token time (as the server answers), and a reset is refused.
    if (route === 'GET /oauth-clients') return send(200, { clients: state.tokenPolicy.policy === 'rate' ? d.clients.map((c) => ({ ...c, nextTokenAt: null })) : d.clients, maxActive: 2, tokenPolicy: state.tokenPolicy });
    if (route === 'POST /oauth-clients') {
      if (needsReauth()) return;
      const c = { name: input.name ?? '', clientId: `cli_${Math.random().toString(36).slice(2, 14).toUpperCase()}`, platform: 'acme', status: 'active', scope: 'raas.all', createdAt: new Date().toISOString(), lastTokenIssuedAt: null, nextTokenAt: null, limits: DEFAULT_LIMITS };
      d.clients.unshift(c);
      return send(201, { name: c.name, clientId: c.clientId, clientSecret: 'tsc_secret_9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeeddccbbaa99887766554433221100' });
    }
    if ((m = /^POST \/oauth-clients\/([^/]+)\/(activate|deactivate|reset-quota)$/.exec(route))) {
      const c = d.clients.find((x) => x.clientId === m[1]);
      if (!c) return fail(404, 'not_found', 'No such client');
      if (m[2] === 'reset-quota' && state.tokenPolicy.policy === 'rate') return fail(409, 'conflict', 'There is no token quota to reset: the token policy of this server is rate (TESSERA_TOKEN_POLICY=rate)');
      if (m[2] === 'reset-quota') c.nextTokenAt = null;
      else c.status = m[2] === 'activate' ? 'active' : 'inactive';
      return send(200, c);
    }
    if (route === 'GET /audiences') return send(200, { audiences: AUDIENCES });
    if ((m = /^(PUT|DELETE) \/oauth-clients\/([^/]+)\/limits$/.exec(route))) {
      const c = d.clients.find((x) => x.clientId === m[2]);
      if (!c) return fail(404, 'not_found', 'No such client');
      c.limits = m[1] === 'PUT' ? { perHour: input.perHour, perDay: input.perDay, mode: input.mode, source: 'client' } : DEFAULT_LIMITS;
      return send(200, c.limits);
    }
    if ((m = /^DELETE \/oauth-clients\/([^/]+)$/.exec(route))) { d.clients = d.clients.filter((x) => x.clientId !== m[1]); res.statusCode = 204; return res.end(); }
    if (route === 'GET /api-keys') return send(200, { platformName: 'acme', keys: d.keys, maxActive: 2 });
    if (route === 'POST /api-keys') {
      if (needsReauth()) return;
      const k = { id: `key_${Math.random().toString(36).slice(2, 14).toUpperCase()}`, platform: 'acme', status: 'active', createdAt: new Date().toISOString(), statusChangedAt: new Date().toISOString(), lastUsedAt: null };
      d.keys.unshift(k);
      return send(201, { id: k.id, apiKey: 'tsk_live_4c3b2a1908f7e6d5c4b3a29180f7e6d5' });
    }
    if ((m = /^POST \/api-keys\/([^/]+)\/(reveal|copy)$/.exec(route))) { if (needsReauth()) return; return send(200, { id: m[1], apiKey: 'tsk_live_7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d' }); }
    if ((m = /^POST \/api-keys\/([^/]+)\/(activate|deactivate)$/.exec(route))) {
      const k = d.keys.find((x) => x.id === m[1]);
      if (!k) return fail(404, 'not_found', 'No such key');
      k.status = m[2] === 'activate' ? 'active' : 'inactive';
      return send(200, k);
    }
    if ((m = /^DELETE \/api-keys\/([^/]+)$/.exec(route))) { d.keys = d.keys.filter((x) => x.id !== m[1]); res.statusCode = 204; return res.end(); }
    if (route === 'GET /users') return send(200, { users: d.users, invitations: d.invitations });
    if (route === 'POST /invitations') {
      const inv = { id: `inv_${Date.now()}`, email: input.email, role: input.role, createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() };
      d.invitations.unshift(inv);
      return send(201, { invitation: inv, link: 'http://127.0.0.1:8080/#/invitation/inv_tok_Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1Jh0' });
    }
    if (route === 'GET /audit') {
      const before = url.searchParams.get('before');
      const action = url.searchParams.get('action');
      let entries = d.audit.filter((e) => (!action || e.action === action) && (!before || e.seq < Number(before)));
      const page = entries.slice(0, 50);
      return send(200, { entries: page, next: entries.length > 50 ? page[page.length - 1].seq : null });
    }
    return fail(404, 'not_found', `No mock for ${route}`);
  };
}
