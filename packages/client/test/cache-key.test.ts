import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tokenCacheKey, TokenManager } from '../src/index.js';

const base = { tokenUrl: 'http://127.0.0.1:8080/oauth/token', clientId: 'cli_abc', audience: 'https://api.tangocard.com/', scope: 'raas.all' };

describe('tokenCacheKey', () => {
  it('is a SHA-256 of the token URL, client id, audience and scope', () => {
    const digest = createHash('sha256')
      .update(JSON.stringify(['tessera-token/v1', base.tokenUrl, base.clientId, base.audience, base.scope]))
      .digest('hex');
    expect(tokenCacheKey(base)).toBe(`token:${digest}`);
    expect(tokenCacheKey(base)).not.toContain('cli_abc');
  });

  it('differs when any part differs, and defaults the scope to raas.all', () => {
    const keys = [
      tokenCacheKey(base),
      tokenCacheKey({ ...base, tokenUrl: 'http://127.0.0.1:8081/oauth/token' }),
      tokenCacheKey({ ...base, clientId: 'cli_abd' }),
      tokenCacheKey({ ...base, audience: undefined }),
      tokenCacheKey({ ...base, scope: 'raas.read' }),
    ];
    expect(new Set(keys).size).toBe(5);
    expect(tokenCacheKey({ ...base, scope: undefined })).toBe(tokenCacheKey(base));
  });

  it('is the key a TokenManager uses, whatever the secret', () => {
    const a = new TokenManager({ ...base, clientSecret: 'secret-one-0000' });
    const b = new TokenManager({ ...base, clientSecret: 'secret-two-0000' });
    expect(a.key).toBe(tokenCacheKey(base));
    expect(b.key).toBe(a.key);
  });
});
