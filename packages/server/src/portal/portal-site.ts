import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { PORTAL_API_PREFIX, portalApi } from './portal-api.js';
import type { PortalDeps } from './portal-deps.js';
import { spa } from './spa.js';

/**
 * The portal as a browser sees it: the single-page app at `/` and its JSON API under /portal/api, with
 * the security headers on every response of both (and only of these: /oauth and /raas/v2 are APIs
 * with their own). The CSP allows this origin only: no inline script or style, no framing (clickjacking),
 * no plugins, no `<base>` (CSP Level 3; X-Frame-Options for older browsers, RFC 7034).
 */
export async function portalSite(app: FastifyInstance, { deps, dist }: { deps: PortalDeps; dist: string }): Promise<void> {
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS only where the portal is served over https: a browser ignores it over http anyway (RFC 6797 §8.1).
    strictTransportSecurity: new URL(deps.config.publicUrl).protocol === 'https:' ? { maxAge: 31_536_000 } : false,
  });
  await app.register(fastifyCookie);
  await app.register(portalApi, { deps, prefix: PORTAL_API_PREFIX });
  await app.register(spa, { dist });
}
