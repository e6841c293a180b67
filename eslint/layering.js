// The layering of packages/server/src, read from docs/architecture.md (its one statement) and turned into
// import-x/no-restricted-paths zones: eslint.config.js lints with them, packages/server/test/architecture.test.ts
// checks them against the tree.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.dirname(import.meta.dirname);
export const SERVER_SRC = 'packages/server/src';
export const ARCHITECTURE_DOC = 'docs/architecture.md';
/** The row of the files directly in src/: the composition. */
export const COMPOSITION = '.';

/**
 * The rows of the table in docs/architecture.md: `| \`folder/\` | floor name | holds | \`allowed/\` … |`.
 * @returns {{ folder: string, floor: number, mayImport: string[] }[]}
 */
export function readLayers(markdown = readFileSync(path.join(ROOT, ARCHITECTURE_DOC), 'utf8')) {
  const layers = [];
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
    const folder = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1];
    const floor = /^(\d+)\b/.exec(cells[1] ?? '')?.[1];
    if (cells.length !== 4 || folder === undefined || floor === undefined) continue;
    const mayImport = [...cells[3].matchAll(/`([^`]+)`/g)].map((match) => bare(match[1]));
    layers.push({ folder: bare(folder), floor: Number(floor), mayImport });
  }
  return layers;
}

const bare = (name) => (name === COMPOSITION ? name : name.replace(/\/$/, ''));

/** The files of the composition row: the .ts files directly in src/. */
const compositionFiles = `${SERVER_SRC}/*.ts`;
const place = (folder) => (folder === COMPOSITION ? compositionFiles : `${SERVER_SRC}/${folder}/**`);

/**
 * One zone per folder: it may not import any folder its row does not name.
 * @returns {import('eslint-plugin-import-x').RuleOptions<'no-restricted-paths'>}
 */
export function layeringZones(layers = readLayers()) {
  return layers.map(({ folder, mayImport }) => ({
    target: place(folder),
    from: layers.filter((other) => other.folder !== folder && !mayImport.includes(other.folder)).map((other) => place(other.folder)),
    message: `${folder === COMPOSITION ? 'The composition (src/*.ts)' : `${folder}/`} may import only ${mayImport.map((name) => (name === COMPOSITION ? 'the composition' : `${name}/`)).join(', ') || 'nothing of src/'} (${ARCHITECTURE_DOC}).`,
  }));
}
