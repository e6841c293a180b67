/*
 * The portal API's contract (docs/portal-api.md), written once: a TypeBox schema for every request body the
 * portal sends and every answer it reads, each with its Static type. The routes declare them (Fastify checks
 * the bodies with them, and serializes every success with them: a field not in the schema is never sent, a
 * defence for secrets), the server's views are typed by them, and the portal imports the types
 * (packages/portal/src/api/types.ts), so a changed field fails the server's and the portal's build alike.
 *
 * One casing: camelCase, in bodies and answers alike (issue 21, point 7). The OAuth endpoints keep RFC 6749's
 * snake_case and the RaaS API Tango's names; the portal maps the domain's snake_case views at its surface
 * (portal/views.ts).
 *
 * These files import nothing but `typebox`, so the portal's compiler reads them without the server's code;
 * the portal imports types only, which its bundle never holds.
 */
export * from './accounts.js';
export * from './audit.js';
export * from './credentials.js';
export * from './fields.js';
export * from './orders.js';
export * from './session.js';
export * from './team.js';
