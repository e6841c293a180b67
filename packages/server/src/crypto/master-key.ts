import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { TesseraError } from '../errors/tessera-error.js';

export const MASTER_KEY_FILE = 'master.key';

/** The master key and where it came from (for errors that must say which key to fix). */
export interface MasterKey {
  key: Buffer;
  source: string;
}

/**
 * The 32-byte key that encrypts secrets at rest. From TESSERA_MASTER_KEY when set; otherwise the embedded
 * default keeps one in the data folder (mode 0600), created on first start, and says so loudly. It is
 * created only while the store holds nothing sealed (`mayCreate`, asked only when there is no key): a new key would open none of it, so
 * a missing key then stops start-up with where it was expected and how to restore it.
 */
export async function loadMasterKey(
  configured: string | undefined,
  dataDir: string,
  log: Pick<FastifyBaseLogger, 'warn'>,
  options: { mayCreate: () => Promise<boolean>; store: string },
): Promise<MasterKey> {
  if (configured) return { key: Buffer.from(configured, 'base64'), source: 'TESSERA_MASTER_KEY' };
  const file = path.join(dataDir, MASTER_KEY_FILE);
  const fromFile = (key: Buffer): MasterKey => ({ key, source: `the master key in ${file}` });
  try {
    return fromFile(decodeKeyFile(await readFile(file, 'utf8'), file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!(await options.mayCreate())) {
    throw new TesseraError('cannot_start', 
      `The master key is missing: the store ${options.store} holds signing keys and API keys sealed under a master key, ` +
        `expected in ${file} since TESSERA_MASTER_KEY is not set. Restore that file from your backup (mode 0600), or set ` +
        'TESSERA_MASTER_KEY to the base64 key it held. No new key was generated: it could not open the existing data.',
    );
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    // 'wx' fails if another process created it first: then use theirs.
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return fromFile(decodeKeyFile(await readFile(file, 'utf8'), file));
  }
  log.warn(
    { file },
    'TESSERA_MASTER_KEY is not set: generated a master key in the data folder. Anyone who can read this file can decrypt ' +
      'the signing keys and API keys; set TESSERA_MASTER_KEY from a secret manager in production and keep a backup.',
  );
  return fromFile(key);
}

function decodeKeyFile(text: string, file: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`The master key file ${file} does not hold 32 bytes in base64`);
  return key;
}
