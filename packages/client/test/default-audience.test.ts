import { describe, expect, it } from 'vitest';
import { defaultAudience, TANGO_PRODUCTION, TANGO_SANDBOX } from '../src/index.js';

describe('defaultAudience', () => {
  it("is Tessera's default audience: the token URL's base with /raas/v2", () => {
    expect(defaultAudience('http://127.0.0.1:8080/oauth/token')).toBe('http://127.0.0.1:8080/raas/v2');
    expect(defaultAudience('https://t.example.com/tessera/oauth/token')).toBe('https://t.example.com/tessera/raas/v2');
  });

  it("is Tango's documented audience on Tango's token endpoints", () => {
    expect(defaultAudience(TANGO_SANDBOX.tokenUrl)).toBe('https://api.tangocard.com/');
    expect(defaultAudience(TANGO_PRODUCTION.tokenUrl)).toBe('https://api.tangocard.com/');
  });

  it('assumes nothing for another token endpoint', () => {
    expect(defaultAudience('https://login.example.com/connect/token')).toBeUndefined();
    expect(defaultAudience('https://login.example.com/oauth/token?tenant=1')).toBeUndefined();
  });
});
