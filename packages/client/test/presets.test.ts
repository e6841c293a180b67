import { describe, expect, it } from 'vitest';
import { TANGO_PRODUCTION, TANGO_SANDBOX, tangoPresets, tesseraPreset } from '../src/index.js';

describe('presets', () => {
  it("carry Tango's documented token URLs, audience and scope", () => {
    expect(TANGO_SANDBOX).toEqual({
      tokenUrl: 'https://sandbox-auth.tangocard.com/oauth/token',
      audience: 'https://api.tangocard.com/',
      scope: 'raas.all',
      apiBaseUrl: 'https://integration-api.tangocard.com/raas/v2',
      apiOrigins: ['https://integration-api.tangocard.com'],
    });
    expect(TANGO_PRODUCTION).toEqual({
      tokenUrl: 'https://auth.tangocard.com/oauth/token',
      audience: 'https://api.tangocard.com/',
      scope: 'raas.all',
      apiBaseUrl: 'https://api.tangocard.com/raas/v2',
      apiOrigins: ['https://api.tangocard.com'],
    });
    expect(tangoPresets).toEqual({ sandbox: TANGO_SANDBOX, production: TANGO_PRODUCTION });
    expect(Object.isFrozen(TANGO_SANDBOX)).toBe(true);
  });

  it('point at a Tessera server', () => {
    expect(tesseraPreset('http://127.0.0.1:8080/')).toEqual({
      tokenUrl: 'http://127.0.0.1:8080/oauth/token',
      scope: 'raas.all',
      apiBaseUrl: 'http://127.0.0.1:8080/raas/v2',
      apiOrigins: ['http://127.0.0.1:8080'],
    });
    expect(tesseraPreset(new URL('https://tessera.example.com'), { audience: 'https://api.tangocard.com/' })).toEqual({
      tokenUrl: 'https://tessera.example.com/oauth/token',
      audience: 'https://api.tangocard.com/',
      scope: 'raas.all',
      apiBaseUrl: 'https://tessera.example.com/raas/v2',
      apiOrigins: ['https://tessera.example.com'],
    });
  });
});
