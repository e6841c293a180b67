import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Vite names every file under assets/ by its content's hash: a changed file is a new URL, so it may be kept a year. */
const HASHED_ASSETS = `${path.sep}assets${path.sep}`;

/**
 * The portal's single-page app, from its build folder: `/` is index.html, never cached (it names the
 * current assets); files under /assets/ are cached for good. The routes are the files found at start-up
 * (no catch-all: unknown paths stay the app's 404s, and /raas/v2 keeps its own), so a rebuilt portal is
 * served after a restart. Without a build, `/` says so and how to make one, with 503.
 */
export async function spa(app: FastifyInstance, { dist }: { dist: string }): Promise<void> {
  if (!existsSync(path.join(dist, 'index.html'))) {
    app.get('/', async (_request, reply) =>
      reply
        .code(503)
        .header('Cache-Control', 'no-store')
        .send({
          error: 'portal_not_built',
          message: `The portal is not built: there is no ${path.join(dist, 'index.html')}. Run "npm run build" in the project folder (or "npm install", which builds it), then restart Tessera.`,
        }),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: dist,
    wildcard: false,
    index: ['index.html'],
    cacheControl: false,
    serveDotFiles: false,
    setHeaders: (res, file) => {
      res.setHeader('Cache-Control', file.includes(HASHED_ASSETS) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}
