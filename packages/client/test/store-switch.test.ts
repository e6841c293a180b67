// What the README says of switching token stores (from the file tessera-token uses to Redis, say):
// it costs one token request, refused within 20 hours of the last token; carrying the token over costs none.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTokenStore, MemoryTokenStore, TokenManager, type TokenStore } from '../src/index.js';
import { issueTokens, ScriptedServer } from './helpers/token-server.js';

describe('switching token stores', () => {
  let server: ScriptedServer;
  let dir: string;
  let file: FileTokenStore;
  const managers: TokenManager[] = [];
  const manager = (store: TokenStore): TokenManager => {
    const tokens = new TokenManager({ tokenUrl: server.tokenUrl, clientId: 'cli_switch', clientSecret: 'tsc_secret_switch', store, logger: { warn: () => undefined } });
    managers.push(tokens);
    return tokens;
  };

  beforeEach(async () => {
    server = await ScriptedServer.start();
    // Tessera's and Tango's quota: one token, then `rate_limit_exceeded` for 20 hours.
    server.tokenHandler = (request, index) =>
      index === 0
        ? issueTokens(request, index)
        : { status: 400, headers: { 'retry-after': '72000' }, json: { error: 'rate_limit_exceeded', error_description: 'Client switch cli_switch has exceeded the daily rate limit' } };
    dir = await mkdtemp(join(tmpdir(), 'tessera-store-switch-'));
    file = new FileTokenStore({ path: join(dir, 'tokens.json') });
    // The token of the store being left: one request.
    expect(await manager(file).getToken()).toBe('tok-1');
  });

  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.close()));
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('costs one token request: the new store is empty, and within 20 hours the server refuses it', async () => {
    const switched = manager(new MemoryTokenStore());
    await expect(switched.getToken()).rejects.toMatchObject({ code: 'rate_limited' });
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('costs none when the token is carried over before the first getToken (the README snippet)', async () => {
    const store = new MemoryTokenStore();
    const tokens = manager(store);
    const { token } = await file.read(tokens.key);
    if (token) await store.write(tokens.key, token, token.expiresAt - Date.now());
    expect(await tokens.getToken()).toBe('tok-1');
    expect(server.tokenRequests).toHaveLength(1);
  });
});
