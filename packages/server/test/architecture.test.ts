import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { COMPOSITION, readLayers } from '../../../eslint/layering.js';

// Issue 21, point 6: docs/architecture.md states the layering once; the lint enforces it (eslint/layering.js).
const ROOT = path.resolve(import.meta.dirname, '../../..');
const SRC = path.join(ROOT, 'packages/server/src');
const layers = readLayers();

async function lintAs(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: path.join(SRC, file) });
  return result!.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

describe('docs/architecture.md', () => {
  it('names exactly the folders of packages/server/src, and the composition is only app, main, services and index', async () => {
    const entries = await readdir(SRC, { withFileTypes: true });
    const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    const rootFiles = entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
    expect(layers.map((layer) => layer.folder).sort()).toEqual([COMPOSITION, ...folders].sort());
    expect(rootFiles.sort()).toEqual(['app.ts', 'index.ts', 'main.ts', 'services.ts']);
  });

  it('lets every folder import only folders on lower floors (higher numbers), so no two folders can import each other', () => {
    const floorOf = new Map(layers.map((layer) => [layer.folder, layer.floor]));
    const upward = layers.flatMap((layer) =>
      layer.mayImport.filter((name) => !((floorOf.get(name) ?? -Infinity) > layer.floor)).map((name) => `${layer.folder} → ${name}`),
    );
    expect(upward).toEqual([]);
  });
});

describe('the layering lint', () => {
  it('refuses an import that runs up the floors', async () => {
    expect(await lintAs('store/breach.ts', "export { TOKEN_PATH } from '../oauth/paths.js';\n")).toEqual([
      'import-x/no-restricted-paths: Unexpected path "../oauth/paths.js" imported in restricted zone. store/ may import only crypto/, async/, errors/ (docs/architecture.md).',
    ]);
  });

  it('refuses the import that would close a folder cycle (auth/ imports tokens/, so tokens/ may not import auth/)', async () => {
    expect(await lintAs('tokens/breach.ts', "export type { Principal } from '../auth/principal.js';\n")).toEqual([
      'import-x/no-restricted-paths: Unexpected path "../auth/principal.js" imported in restricted zone. tokens/ may import only store/, crypto/, config/, errors/ (docs/architecture.md).',
    ]);
  });

  it('refuses a folder that imports the composition', async () => {
    expect(await lintAs('auth/breach.ts', "export type { Services } from '../services.js';\n")).toEqual([
      'import-x/no-restricted-paths: Unexpected path "../services.js" imported in restricted zone. auth/ may import only tokens/, credentials/, audit/, store/, metrics/, cache/, log/, crypto/, errors/ (docs/architecture.md).',
    ]);
  });

  it('refuses files that import each other in a circle inside a folder (store/oauth-clients.ts imports platforms.ts)', async () => {
    expect(await lintAs('store/platforms.ts', "export { MAX_ACTIVE_CLIENTS } from './oauth-clients.js';\n")).toEqual([
      'import-x/no-cycle: Dependency cycle detected',
    ]);
  });

  it('lets a folder import what its row names', async () => {
    expect(await lintAs('oauth/allowed.ts', "export { verifyOwnToken } from '../tokens/live-token.js';\n")).toEqual([]);
  });
});

// Issue 21, point 8: the server suites start their deployments through one bootstrap (test/support/bootstrap.ts).
describe('the bootstrap lint', () => {
  const BREACH = "import { buildApp } from '../../src/app.js';\nimport { createTestEnvironment } from '../support/services.js';\nexport { buildApp, createTestEnvironment };\n";
  const lintTestAs = async (file: string, code: string) => {
    const [result] = await new ESLint({ cwd: ROOT }).lintText(code, { filePath: path.join(ROOT, 'packages/server/test', file) });
    return result!.messages.map((message) => `${message.ruleId}: ${message.message}`);
  };

  it('refuses a suite that makes its own environment or app', async () => {
    expect(await lintTestAs('cache/breach.test.ts', BREACH)).toEqual([
      "no-restricted-imports: 'buildApp' import from '../../src/app.js' is restricted from being used by a pattern. Build apps through packages/server/test/support/bootstrap.ts: startDeployment, env.app(), or appOn(services).",
      "no-restricted-imports: 'createTestEnvironment' import from '../support/services.js' is restricted from being used by a pattern. Start the deployment with startDeployment or startFleet (packages/server/test/support/bootstrap.ts).",
    ]);
  });

  it('lets the support folder, which the bootstrap is made of, import them', async () => {
    expect(await lintTestAs('support/breach.ts', BREACH)).toEqual([]);
  });
});

// Issue 21, point 8: the node project's files share their worker's modules (vitest.config.ts, isolate: false);
// a file that replaces a module must run with modules of its own, or its stand-in would reach other files.
describe('the test projects', () => {
  it('runs every node test file that replaces a module (vi.mock, vi.doMock) in the node-isolated project', async () => {
    const config = await readFile(path.join(ROOT, 'vitest.config.ts'), 'utf8');
    const ownModules = config.slice(config.indexOf('const OWN_MODULES'), config.indexOf('];'));
    const replacing: string[] = [];
    for (const dir of ['packages/client/test', 'packages/server/test', 'packages/verify/test']) {
      for (const file of await readdir(path.join(ROOT, dir), { recursive: true })) {
        if (!file.endsWith('.test.ts')) continue;
        const text = await readFile(path.join(ROOT, dir, file), 'utf8');
        if (/\bvi\.(do)?[mM]ock\(/.test(text)) replacing.push(`${dir}/${file}`);
      }
    }
    expect(replacing.length).toBeGreaterThan(0);
    expect(replacing.filter((file) => !ownModules.includes(`'${file}'`))).toEqual([]);
  });
});
