import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), 'utf8');
const manifest = (file: string) => JSON.parse(read(file)) as { license?: string; engines?: { node?: string } };

describe('the project as npm installs it', () => {
  it('ships the licence its package.json files name', () => {
    expect(read('LICENSE')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    for (const file of ['package.json', 'packages/server/package.json', 'packages/client/package.json', 'packages/verify/package.json']) {
      expect(manifest(file).license, file).toBe('Apache-2.0');
    }
  });

  it('installs on the oldest Node.js it supports without an engine warning (EBADENGINE)', () => {
    const oldest = semver.minVersion(manifest('package.json').engines!.node!)!.version;
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };
    const unsupported = Object.entries(lock.packages)
      .filter(([, entry]) => entry.engines && !Array.isArray(entry.engines) && entry.engines.node)
      .filter(([, entry]) => !semver.satisfies(oldest, (entry.engines as { node: string }).node))
      .map(([name, entry]) => `${name} wants node ${(entry.engines as { node: string }).node}`);
    expect(unsupported).toEqual([]);
  });
});
