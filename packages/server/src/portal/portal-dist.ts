import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The built portal, packages/portal/dist, found from the server package's own manifest: by the
 * package's name, so it resolves the same from src/ (tests), dist/ (`npm start`) and dist/bundle/
 * (the `tessera` command), whose files sit at different depths (scripts/bundle.js).
 */
export function defaultPortalDist(): string {
  const manifest = createRequire(import.meta.url).resolve('@tessera/server/package.json');
  return path.resolve(path.dirname(manifest), '..', 'portal', 'dist');
}
