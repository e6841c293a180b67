import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVerifier, tesseraExpress, tesseraFastify, type Verifier } from '../src/index.js';
import { AUDIENCE, BASIC_CHALLENGES, FakeTessera, keyAllow, refusal, tokenAllow } from './support/fake-tessera.js';

const BASIC = `Basic ${Buffer.from('acme:tk_adapter-key').toString('base64')}`;

let tessera: FakeTessera;
let verifier: Verifier;

beforeAll(async () => {
  tessera = await FakeTessera.start();
  verifier = createVerifier({ tessera: tessera.url, audience: AUDIENCE, statusTtlMs: 0 });
});

afterAll(async () => {
  await verifier.close();
  await tessera.stop();
});

beforeEach(() => {
  tessera.answer = ({ authorization }) =>
    authorization === BASIC
      ? keyAllow()
      : authorization?.startsWith('Bearer ')
        ? tokenAllow()
        : refusal(401, 'invalid_credentials', 'The platform name or API key is not valid', { 'WWW-Authenticate': BASIC_CHALLENGES });
});

describe('tesseraFastify', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    app.get('/health', async (request) => ({ tessera: request.tessera }));
    await app.register(async (api) => {
      await api.register(tesseraFastify, { verifier });
      api.post('/orders', async (request) => ({ caller: request.tessera }));
    });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
  });

  it('runs the handler with request.tessera for a good token and a good API key', async () => {
    const token = await tessera.token();
    const viaToken = await app.inject({ method: 'POST', url: '/orders', headers: { authorization: `Bearer ${token}` } });
    expect(viaToken.statusCode).toBe(200);
    expect(viaToken.json()).toEqual({
      caller: {
        platform: 'acme',
        platformId: 'plt_1',
        credentialKind: 'oauth_client',
        credentialId: 'cli_1',
        scope: ['raas.all', 'orders.read'],
        audience: AUDIENCE,
        tokenId: 'tok-1',
      },
    });
    const viaKey = await app.inject({ method: 'POST', url: '/orders', headers: { authorization: BASIC }, remoteAddress: '203.0.113.7' });
    expect(viaKey.statusCode).toBe(200);
    // The client's address goes with the check, for Tessera's failure throttle to count each client.
    expect(tessera.questions.at(-1)?.forwardedFor).toBe('203.0.113.7');
    expect(viaKey.json()).toEqual({
      caller: { platform: 'acme', platformId: 'plt_1', credentialKind: 'api_key', credentialId: 'key_1', scope: ['raas.all'], audience: AUDIENCE },
    });
  });

  it('sends a refusal as its status, challenges and {error, error_description}, without running the handler', async () => {
    const refused = await app.inject({ method: 'POST', url: '/orders', headers: { authorization: 'Basic eDp5' }, payload: { big: 'body' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toEqual(BASIC_CHALLENGES);
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(refused.json()).toEqual({ error: 'invalid_credentials', error_description: 'The platform name or API key is not valid' });

    const expired = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { authorization: `Bearer ${await tessera.token({ exp: Math.floor(Date.now() / 1000) - 5 })}` },
    });
    expect(expired.statusCode).toBe(401);
    expect(expired.headers['www-authenticate']).toBe(`Bearer realm="${AUDIENCE}", error="invalid_token", error_description="The token has expired"`);
    expect(expired.json()).toEqual({ error: 'invalid_token', error_description: 'The token has expired' });
  });

  it('answers 503 with Retry-After when Tessera fails', async () => {
    tessera.answer = () => refusal(502, 'bad_gateway', 'x');
    const response = await app.inject({ method: 'POST', url: '/orders', headers: { authorization: BASIC } });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json()).toEqual({ error: 'temporarily_unavailable', error_description: 'Tessera answered 502 to the credential check' });
  });

  it('leaves the routes outside the context it is registered in alone', async () => {
    const asked = tessera.forwardAuthCalls();
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    // Not even decorated there: the plugin belongs to its context.
    expect(response.json()).toEqual({});
    expect(tessera.forwardAuthCalls()).toBe(asked);
  });

  it('makes its own verifier when given options, and closes it (and its connections to Tessera) with the app', async () => {
    const other = await FakeTessera.start();
    try {
      other.answer = () => keyAllow();
      const own = Fastify();
      await own.register(tesseraFastify, { tessera: other.url, audience: AUDIENCE });
      own.get('/me', async (request) => request.tessera);
      const ok = await own.inject({ method: 'GET', url: '/me', headers: { authorization: BASIC } });
      expect(ok.json()).toEqual({ platform: 'acme', platformId: 'plt_1', credentialKind: 'api_key', credentialId: 'key_1', scope: ['raas.all'], audience: AUDIENCE });
      expect(await other.openConnections()).toBe(1);
      await own.close();
      for (let i = 0; i < 50 && (await other.openConnections()) > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await other.openConnections()).toBe(0);
    } finally {
      await other.stop();
    }
  });
});

describe('tesseraExpress', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = express();
    app.get('/health', (_req, res) => {
      res.json({ ok: true });
    });
    app.use('/api', tesseraExpress(verifier));
    app.get('/api/me', (req, res) => {
      res.json({ caller: req.tessera });
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('runs the handlers after it with req.tessera for a good token and a good API key', async () => {
    const viaToken = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${await tessera.token()}` } });
    expect(viaToken.status).toBe(200);
    expect(await viaToken.json()).toEqual({
      caller: {
        platform: 'acme',
        platformId: 'plt_1',
        credentialKind: 'oauth_client',
        credentialId: 'cli_1',
        scope: ['raas.all', 'orders.read'],
        audience: AUDIENCE,
        tokenId: 'tok-1',
      },
    });
    const viaKey = await fetch(`${base}/api/me`, { headers: { authorization: BASIC } });
    expect(viaKey.status).toBe(200);
    expect(tessera.questions.at(-1)?.forwardedFor).toBe('127.0.0.1');
    expect(await viaKey.json()).toEqual({
      caller: { platform: 'acme', platformId: 'plt_1', credentialKind: 'api_key', credentialId: 'key_1', scope: ['raas.all'], audience: AUDIENCE },
    });
  });

  it('sends a refusal as its status, challenges and {error, error_description}', async () => {
    const refused = await fetch(`${base}/api/me`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(BASIC_CHALLENGES.join(', '));
    expect(refused.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await refused.json()).toEqual({ error: 'invalid_credentials', error_description: 'The platform name or API key is not valid' });

    const malformed = await fetch(`${base}/api/me`, { headers: { authorization: 'Bearer a b' } });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The Bearer credentials are malformed: expected Authorization: Bearer <access token>',
    });
  });

  it('answers 503 with Retry-After when Tessera fails, and leaves other routes alone', async () => {
    tessera.answer = () => ({ status: 500 });
    const response = await fetch(`${base}/api/me`, { headers: { authorization: BASIC } });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({ error: 'temporarily_unavailable', error_description: 'Tessera answered 500 to the credential check' });
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
