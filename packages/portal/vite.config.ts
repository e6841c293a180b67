import { defineConfig } from 'vite';

// Plain static files for the server to serve at `/`. The server's CSP allows only 'self' for scripts
// and styles: the build emits one module script and CSS files, nothing inline.
export default defineConfig(({ command }) => ({
  base: '/',
  // A build is React's production build whatever NODE_ENV the caller has: vitest runs `npm run build`
  // from its global setup with NODE_ENV=test, which would otherwise ship development JSX and React.
  oxc: { jsx: { runtime: 'automatic', development: command !== 'build' } },
  define: command === 'build' ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The module-preload polyfill would be inlined into index.html; every browser we serve has it.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
}));
