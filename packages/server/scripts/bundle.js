// Bundles the built `tessera` command (dist/cli/cli.js and what it imports, dependencies included) into a
// few files under dist/bundle/. Node resolves and links every ES module file one by one at start-up;
// Kysely alone is some 280 of them, and the command would spend most of its half-second doing that.
// Bundled, a command such as `tessera client list` starts in about a third of the time, and `serve`
// idles in less memory. The `serve` stack and Redis stay separate chunks, loaded only when used.
// Whitespace and comments are left out: V8 keeps each chunk's whole text in memory for as long as the
// process runs (and comments with non-ASCII characters made it two bytes a character); function and
// variable names stay, and the source maps give the original lines (node --enable-source-maps).
import { readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

// Chunk names carry content hashes: each build starts empty so that old chunks never linger. It builds
// beside dist/bundle and then swaps it in: a command or a test that starts `tessera` while another
// `npm run build` runs (the test runner builds before every run) would otherwise find no bundle at all
// for the seconds the build takes.
const BUNDLE = 'dist/bundle';
const staging = `${BUNDLE}-building-${process.pid}`;
rmSync(staging, { recursive: true, force: true });

await build({
  entryPoints: { cli: 'dist/cli/cli.js' },
  outdir: staging,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  minifyWhitespace: true,
  // A native addon; drivers loaded only when configured (pg looks for an optional native binding);
  // jsonc-parser, whose UMD build requires its parts by computed names a bundler cannot follow; and
  // cookie, which @fastify/cookie loads with import(): bundled, that CommonJS module would answer with
  // `default` only, where Node gives its named exports.
  // @fastify/swagger-ui is bundled (see swaggerUiDirname): left outside, it loaded second, unbundled copies
  // of @fastify/static and yaml, some 3 MB more for an idle `serve`.
  external: ['better-sqlite3', 'pg', 'ioredis', 'jsonc-parser', 'cookie'],
  // CommonJS dependencies inside an ES module bundle still call require() for Node's own modules.
  banner: { js: "import { createRequire as __tesseraRequire } from 'node:module'; const require = __tesseraRequire(import.meta.url);" },
  logLevel: 'warning',
  plugins: [swaggerUiDirname()],
});
swapIn(staging, BUNDLE);

/** Replaces `target` by `built` with two renames; another build swapping at the same time only makes it try again. */
function swapIn(built, target) {
  const previous = `${target}-previous-${process.pid}`;
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(target, previous);
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    try {
      renameSync(built, target);
      break;
    } catch (error) {
      // Another build put its bundle there between our two renames: move that one aside too.
      if (!['ENOTEMPTY', 'EEXIST'].includes(error.code) || attempt >= 10) throw error;
      rmSync(previous, { recursive: true, force: true });
    }
  }
  rmSync(previous, { recursive: true, force: true });
}

/**
 * @fastify/swagger-ui serves Swagger UI's files (and its logo) from its own folder, found by __dirname,
 * which an ES module bundle does not define: its two files that use it get it back, pointing at the
 * installed package as they would unbundled.
 */
function swaggerUiDirname() {
  return {
    name: 'swagger-ui-dirname',
    setup(build) {
      build.onLoad({ filter: /[\\/]@fastify[\\/]swagger-ui[\\/](index|lib[\\/]routes)\.js$/ }, (args) => {
        const folder = path.basename(path.dirname(args.path)) === 'lib' ? 'lib' : '.';
        const dirname = `var __dirname = require('node:path').join(require('node:path').dirname(require.resolve('@fastify/swagger-ui/package.json')), ${JSON.stringify(folder)});\n`;
        return { contents: dirname + readFileSync(args.path, 'utf8'), loader: 'js', resolveDir: path.dirname(args.path) };
      });
    },
  };
}
