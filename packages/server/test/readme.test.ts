import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../src/config/config.js';

describe('README', () => {
  it('leads with the two set-up commands and documents every setting with its default', async () => {
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('```sh\nnpm install && npm start\nnpm test\n```');
    for (const setting of Object.values(SETTINGS)) {
      expect(readme).toContain(`| \`${setting.name}\` | ${setting.defaultText} | ${setting.doc} |`);
    }
  });
});
