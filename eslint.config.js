import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { layeringZones, SERVER_SRC } from './eslint/layering.js';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly', Response: 'readonly', Request: 'readonly', Headers: 'readonly', URLSearchParams: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', performance: 'readonly', AbortSignal: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // The command's entry is CommonJS (packages/server/bin/tessera.js says why).
  {
    files: ['packages/server/bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // The portal runs in the browser, with React's rules of hooks.
  {
    files: ['packages/portal/src/**/*.{ts,tsx}', 'packages/portal/test/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
    languageOptions: { globals: globals.browser },
  },
  // The portal's pages stay usable with a keyboard and a screen reader (WAI-ARIA 1.2, WCAG 2.2).
  {
    files: ['packages/portal/src/**/*.tsx'],
    ...jsxA11y.flatConfigs.recommended,
  },
  // Issue 21, point 8: every server suite starts its deployment through the one bootstrap, so set-up lives in one place.
  {
    files: ['packages/server/test/**/*.test.ts'],
    ignores: ['packages/server/test/support/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/support/services.js'],
              importNames: ['createTestEnvironment'],
              message: 'Start the deployment with startDeployment or startFleet (packages/server/test/support/bootstrap.ts).',
            },
            {
              group: ['**/src/app.js'],
              importNames: ['buildApp'],
              message: 'Build apps through packages/server/test/support/bootstrap.ts: startDeployment, env.app(), or appOn(services).',
            },
          ],
        },
      ],
    },
  },
  // The server's folders import one way only: the layering is docs/architecture.md's table (eslint/layering.js).
  {
    files: [`${SERVER_SRC}/**/*.ts`],
    plugins: { 'import-x': importX },
    settings: {
      // import-x reads .ts files only when told to (its own typescript preset's extensions and parser).
      'import-x/extensions': importX.flatConfigs.typescript.settings['import-x/extensions'],
      'import-x/parsers': importX.flatConfigs.typescript.settings['import-x/parsers'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'packages/server/tsconfig.json' })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: layeringZones() }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
);
