import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Catalog } from '../catalog/catalog.js';
import type { ExchangeRates } from '../catalog/exchange-rates.js';
import * as example from './examples.js';
import { CatalogQuery, CatalogView, CatalogViewVerbose, ExchangeRatesWithDisclaimer } from './catalog-views.js';
import { errorResponses, GUARDED_ERRORS, tango } from './route-docs.js';

/** What the catalog routes use: the catalog and the exchange rates, loaded at start-up (catalog/). */
export interface CatalogDeps {
  catalog: Catalog;
  exchangeRates: ExchangeRates;
}

/**
 * RaaS v2 "Catalogs" and "Exchange Rates". One catalog and one table of rates serve every platform
 * (the operator's files, or the seed); the guard still requires the caller's credentials, as Tango does.
 */
export async function catalogRoutes(app: FastifyInstance, { services }: { services: CatalogDeps }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { catalog, exchangeRates } = services;

  api.get(
    '/catalogs',
    {
      schema: {
        ...tango('Catalogs', 'getCatalog', "Get all items in the Platform's Catalog."),
        querystring: CatalogQuery,
        response: {
          // The verbose view first: the serializer sends the first view the body fits, and a verbose body fits both.
          200: Type.Union([CatalogViewVerbose, CatalogView], { description: 'The catalog: every brand and its items (utids)', examples: [example.CATALOG_VIEW_VERBOSE] }),
          ...errorResponses(...GUARDED_ERRORS),
        },
      },
    },
    // Tango's default is verbose (the reference: `default: true`).
    async (request) => (request.query.verbose === false ? catalog.summary : catalog.verbose),
  );

  api.get(
    '/exchangerates',
    {
      schema: {
        ...tango('Exchange Rates', 'getExchangeRates', 'Get a list of exchange rates.'),
        response: { 200: ExchangeRatesWithDisclaimer, ...errorResponses(...GUARDED_ERRORS) },
      },
    },
    async () => exchangeRates.view,
  );
}
