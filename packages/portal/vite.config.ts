import { defineConfig } from 'vite';

// Plain static files for the server to serve at `/`. The server's CSP allows only 'self' for scripts
// and styles: the build emits one module script and CSS files, nothing inline.
export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The module-preload polyfill would be inlined into index.html; every browser we serve has it.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
