// Bundles the built `tessera` command (dist/cli.js and what it imports, dependencies included) into a
// few files under dist/bundle/. Node resolves and links every ES module file one by one at start-up;
// Kysely alone is some 280 of them, and the command would spend most of its half-second doing that.
// Bundled, a command such as `tessera client list` starts in about a third of the time, and `serve`
// idles in less memory. The `serve` stack and Redis stay separate chunks, loaded only when used.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: start empty so that old chunks never linger.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: { cli: 'dist/cli.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // A native addon; drivers loaded only when configured (pg looks for an optional native binding);
  // jsonc-parser, whose UMD build requires its parts by computed names a bundler cannot follow; and
  // cookie, which @fastify/cookie loads with import(): bundled, that CommonJS module would answer with
  // `default` only, where Node gives its named exports; and @fastify/swagger-ui, which serves Swagger
  // UI's files from beside its own (__dirname).
  external: ['better-sqlite3', 'pg', 'ioredis', 'jsonc-parser', 'cookie', '@fastify/swagger-ui'],
  // CommonJS dependencies inside an ES module bundle still call require() for Node's own modules.
  banner: { js: "import { createRequire as __tesseraRequire } from 'node:module'; const require = __tesseraRequire(import.meta.url);" },
  logLevel: 'warning',
});
