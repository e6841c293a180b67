import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLIENT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO_DIR = join(CLIENT_DIR, '..', '..');
export const DIST_INDEX = join(CLIENT_DIR, 'dist', 'index.js');

function newestSource(): number {
  return Math.max(...readdirSync(join(CLIENT_DIR, 'src')).map((f) => statSync(join(CLIENT_DIR, 'src', f)).mtimeMs));
}

function fresh(): boolean {
  try {
    const dist = join(CLIENT_DIR, 'dist');
    const newestBuilt = Math.max(...readdirSync(dist).filter((f) => f.endsWith('.js')).map((f) => statSync(join(dist, f)).mtimeMs));
    return statSync(DIST_INDEX).isFile() && newestBuilt >= newestSource();
  } catch {
    return false;
  }
}

/** Child-process tests run the built package: build it when src is newer (once, even with parallel test files). */
export async function ensureBuilt(): Promise<void> {
  if (fresh()) return;
  const lock = join(tmpdir(), `tessera-client-build-${createHash('sha256').update(CLIENT_DIR).digest('hex').slice(0, 12)}.lock`);
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 60_000) throw new Error(`${lock} is held: remove it if no build is running`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    if (fresh()) return;
    const tsc = join(REPO_DIR, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', join(CLIENT_DIR, 'tsconfig.json')], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`build failed:\n${result.stdout}${result.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}
