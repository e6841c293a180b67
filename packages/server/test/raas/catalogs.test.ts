import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import seedCatalog from '../../src/catalog/seed-catalog.json' with { type: 'json' };
import seedRates from '../../src/catalog/seed-exchange-rates.json' with { type: 'json' };
import { startDeployment } from '../support/bootstrap.js';
import { tessera } from '../support/processes.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';
import { expectTangoView } from '../support/tango-reference.js';
import { expectEnvelope, get, type Tenant } from '../support/tenants.js';

/** The seed as verbose=false shows it: no brand texts, no redemption instructions. */
function summaryOf(catalog: typeof seedCatalog): unknown {
  return {
    catalogName: catalog.catalogName,
    brands: catalog.brands.map(({ description: _d, shortDescription: _s, terms: _t, disclaimer: _x, items, ...brand }) => ({
      ...brand,
      items: items.map(({ redemptionInstructions: _r, ...item }) => item),
    })),
  };
}

describe.each(STORE_KINDS)('catalogs and exchange rates on /raas/v2 (%s)', (store) => {
  let env: TestEnvironment;
  let app: FastifyInstance;
  let acme: Tenant;
  let globex: Tenant;

  beforeAll(async () => {
    ({ env, app, tenants: { acme, globex } } = await startDeployment({ store, tenants: ['acme', 'globex'] }));
  });
  afterAll(async () => env?.close());

  it('serves the seed catalog (CatalogViewVerbose) with Basic and with Bearer, verbose by default', async () => {
    for (const url of ['/raas/v2/catalogs', '/raas/v2/catalogs?verbose=true']) {
      for (const authorization of [acme.basic, acme.bearer, globex.basic]) {
        const response = await get(app, url, authorization);
        expect(response.statusCode, response.body).toBe(200);
        expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
        expect(response.json()).toStrictEqual(seedCatalog);
        expectTangoView(response.json(), 'CatalogViewVerbose');
      }
    }
  });

  it('shows the seed’s brands, amounts and requirements as written: exact numbers, fixed and variable values', async () => {
    const body = (await get(app, '/raas/v2/catalogs', acme.basic)).json();
    expect(body.brands).toHaveLength(13);
    const amazon = body.brands[0];
    expect(amazon).toMatchObject({
      brandKey: 'B916708',
      brandName: 'Amazon.com',
      brandRequirements: { alwaysShowDisclaimer: true, disclaimerInstructions: 'Show the disclaimer wherever the brand appears.' },
    });
    expect(amazon.items[0]).toMatchObject({ utid: 'U561593', valueType: 'VARIABLE_VALUE', minValue: 0.01, maxValue: 2000, currencyCode: 'USD' });
    const starbucks = body.brands.find((brand: { brandName: string }) => brand.brandName === 'Starbucks');
    expect(starbucks.items.map((item: { faceValue: number }) => item.faceValue)).toStrictEqual([5, 10, 25]);
    // The JSON itself, not only its parse: 0.01 is sent as written.
    expect((await get(app, '/raas/v2/catalogs', acme.basic)).body).toContain('"minValue":0.01,"maxValue":2000');
  });

  it('leaves the long texts out with verbose=false', async () => {
    for (const authorization of [acme.basic, acme.bearer]) {
      const response = await get(app, '/raas/v2/catalogs?verbose=false', authorization);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toStrictEqual(summaryOf(seedCatalog));
      expectTangoView(response.json(), 'CatalogView');
      expect(response.body.length).toBeLessThan((await get(app, '/raas/v2/catalogs', authorization)).body.length);
    }
  });

  it('refuses a verbose that is not a boolean with 400 in the envelope', async () => {
    const response = await get(app, '/raas/v2/catalogs?verbose=yes', acme.basic);
    expectEnvelope(response, env.clock, {
      status: 400,
      path: '/raas/v2/catalogs',
      message: 'The request is not valid: see errors for each field',
      i18nKey: 'error.validation',
      errors: [{ path: 'verbose', message: 'must be of type boolean', invalidValue: 'yes', constraint: 'Type', i18nKey: 'validation.type' }],
    });
  });

  it('serves the seed exchange rates (ExchangeRatesWithDisclaimer) with Basic and with Bearer', async () => {
    for (const authorization of [acme.basic, acme.bearer]) {
      const response = await get(app, '/raas/v2/exchangerates', authorization);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toStrictEqual(seedRates);
      expect(response.json().exchangeRates[0]).toStrictEqual({ lastModifiedDate: '2026-11-27T12:00:39.558Z', rewardCurrency: 'CAD', baseCurrency: 'USD', baseFx: 1.3599 });
      expectTangoView(response.json(), 'ExchangeRatesWithDisclaimer');
    }
  });

  it('asks for credentials (401) and allows GET alone (405 with Allow)', async () => {
    for (const url of ['/raas/v2/catalogs', '/raas/v2/exchangerates']) {
      const anonymous = await get(app, url);
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json()).toMatchObject({ httpCode: 401, path: url });
      const posted = await app.inject({ method: 'POST', url, headers: { authorization: acme.basic } });
      expectEnvelope(posted, env.clock, { status: 405, path: url, message: 'The method POST is not allowed here: use GET', i18nKey: 'error.methodNotAllowed' });
      expect(posted.headers.allow).toBe('GET, HEAD');
    }
  });
});

describe('the operator’s own catalog and exchange rates', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tessera-catalog-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const brand = seedCatalog.brands[2]!; // Starbucks: three fixed values
  const ownCatalog = {
    catalogName: 'Acme Rewards Catalog',
    brands: [{ ...brand, brandName: 'Acme Coffee', items: [{ ...brand.items[0]!, utid: 'U000001', rewardName: 'Acme Coffee $7.50', faceValue: 7.5 }] }],
  };
  const ownRates = {
    disclaimer: 'Our own rates.',
    exchangeRates: [{ baseCurrency: 'USD', rewardCurrency: 'EUR', baseFx: 0.9, lastModifiedDate: '2026-11-01T00:00:00.000Z' }],
  };

  async function file(name: string, content: unknown): Promise<string> {
    const target = path.join(dir, name);
    await writeFile(target, typeof content === 'string' ? content : JSON.stringify(content));
    return target;
  }

  it('replaces the seed: TESSERA_CATALOG_FILE and TESSERA_EXCHANGE_RATES_FILE', async () => {
    const config = { catalogFile: await file('catalog.json', ownCatalog), exchangeRatesFile: await file('rates.json', ownRates) };
    const { env, app, services, tenants: { acme } } = await startDeployment({ config, tenants: ['acme'] });
    try {
      const catalog = await get(app, '/raas/v2/catalogs', acme.basic);
      expect(catalog.json()).toStrictEqual(ownCatalog);
      expectTangoView(catalog.json(), 'CatalogViewVerbose');
      const rates = await get(app, '/raas/v2/exchangerates', acme.bearer);
      expect(rates.json()).toStrictEqual(ownRates);
      expectTangoView(rates.json(), 'ExchangeRatesWithDisclaimer');
      // Orders draw from the same catalog: the seed's items are gone.
      expect(services.catalog.findItem('U000001')).toMatchObject({ faceValue: 750n, currencyCode: 'USD' });
      expect(services.catalog.findItem('U561593')).toBeUndefined();
    } finally {
      await env.close();
    }
  });

  it('stops start-up on a bad file, naming the setting, the file and the bad field', async () => {
    const item = ownCatalog.brands[0]!.items[0]!;
    const withItem = (changes: Record<string, unknown>) => ({ ...ownCatalog, brands: [{ ...ownCatalog.brands[0]!, items: [{ ...item, ...changes }] }] });
    const cases: Array<[string, unknown, string]> = [
      ['not-json.json', '{"catalogName": ', 'is not valid JSON'],
      ['misspelt.json', { ...ownCatalog, brands: [{ ...ownCatalog.brands[0]!, brandname: 'x' }] }, 'brands[0].brandname is not a field of this format'],
      ['missing.json', withItem({ utid: undefined }), 'brands[0].items[0].utid is required'],
      ['utid.json', withItem({ utid: 'X1' }), 'brands[0].items[0].utid must match pattern "^U[0-9]{6}$"'],
      ['negative.json', withItem({ faceValue: -1 }), 'brands[0].items[0].faceValue must be >= 0'],
      ['value-type.json', withItem({ valueType: 'FIXED' }), 'brands[0].items[0].valueType must be one of FIXED_VALUE, VARIABLE_VALUE'],
      ['cents.json', withItem({ faceValue: 7.505 }), 'brands[0].items[0].faceValue 7.505 has more decimals than USD has'],
      ['currency.json', withItem({ currencyCode: 'XYZ' }), 'brands[0].items[0].currencyCode XYZ is not an ISO 4217 currency code'],
      ['fixed.json', withItem({ faceValue: undefined }), 'brands[0].items[0].faceValue is required for a FIXED_VALUE item'],
      ['range.json', withItem({ valueType: 'VARIABLE_VALUE', faceValue: undefined, minValue: 50, maxValue: 5 }), 'brands[0].items[0].minValue 50 is more than maxValue 5'],
      ['fee-type.json', withItem({ fee: { type: 'DISCOUNT', value: 1 } }), 'brands[0].items[0].fee.type DISCOUNT is not a fee type the sandbox charges: PERCENTAGE or FLAT'],
      ['fee-negative.json', withItem({ fee: { type: 'FLAT', value: -1 } }), 'brands[0].items[0].fee.value -1 is negative'],
      ['fee-percent.json', withItem({ fee: { type: 'PERCENTAGE', value: 101 } }), 'brands[0].items[0].fee.value 101 is more than 100 percent'],
      ['fee-cents.json', withItem({ fee: { type: 'FLAT', value: 0.005 } }), 'brands[0].items[0].fee.value 0.005 has more decimals than USD has'],
      [
        'twice.json',
        { ...ownCatalog, brands: [ownCatalog.brands[0]!, { ...ownCatalog.brands[0]!, brandKey: 'B000002' }] },
        'brands[1].items[0].utid U000001 appears twice',
      ],
    ];
    const env = (await startDeployment()).env;
    try {
      for (const [name, content, problem] of cases) {
        const target = await file(name, content);
        await expect(env.open({ catalogFile: target }), name).rejects.toThrow(`Invalid configuration: TESSERA_CATALOG_FILE ${target}: ${problem}`);
      }
      const absent = path.join(dir, 'absent.json');
      await expect(env.open({ catalogFile: absent })).rejects.toThrow(`Invalid configuration: TESSERA_CATALOG_FILE ${absent}: cannot be read (ENOENT)`);
      const rate = ownRates.exchangeRates[0]!;
      for (const [name, changes, problem] of [
        ['zero.json', { baseFx: 0 }, 'exchangeRates[0].baseFx must be > 0'],
        ['same.json', { rewardCurrency: 'USD' }, 'exchangeRates[0].rewardCurrency is the same as baseCurrency'],
        ['date.json', { lastModifiedDate: 'yesterday' }, 'exchangeRates[0].lastModifiedDate must match format "date-time"'],
      ] as const) {
        const target = await file(name, { ...ownRates, exchangeRates: [{ ...rate, ...changes }] });
        await expect(env.open({ exchangeRatesFile: target }), name).rejects.toThrow(`Invalid configuration: TESSERA_EXCHANGE_RATES_FILE ${target}: ${problem}`);
      }
    } finally {
      await env.close();
    }
  });

  it('`tessera serve` with a bad file says so in one line and exits 1, before touching the store', async () => {
    const target = await file('served.json', { ...ownCatalog, brands: [{ ...ownCatalog.brands[0]!, items: [] }] });
    const dataDir = await mkdtemp(path.join(dir, 'data-'));
    const result = await tessera(['serve'], { TESSERA_DATA_DIR: dataDir, TESSERA_CATALOG_FILE: target, PORT: '1', LOG_LEVEL: 'info', DATABASE_URL: undefined });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout.trim().split('\n').pop()!)).toMatchObject({
      level: 60,
      msg: `Tessera could not start: Invalid configuration: TESSERA_CATALOG_FILE ${target}: brands[0].items must not have fewer than 1 items`,
    });
    expect(await readdir(dataDir)).toStrictEqual([]);
  });
});
