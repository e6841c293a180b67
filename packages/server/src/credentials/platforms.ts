import { TesseraError } from '../errors/tessera-error.js';
import { newId, PREFIX } from '../crypto/secrets.js';
import type { Platform, PlatformStore } from '../store/platforms.js';

/** 3–64 characters from A-Z a-z 0-9 . _ -: no colon, since the name is the user part of Basic auth. */
const PLATFORM_NAME = /^[A-Za-z0-9._-]{3,64}$/;

/** Throws `invalid_input` naming the rule when `name` cannot be a platform's. */
export function assertPlatformName(name: string): void {
  if (!PLATFORM_NAME.test(name)) {
    throw new TesseraError('invalid_input', `Invalid platform name "${name}": use 3 to 64 characters from A-Z, a-z, 0-9, ".", "_" and "-"`);
  }
}

export async function createPlatform(deps: { platforms: Pick<PlatformStore, 'insert'>; now: () => number }, name: string): Promise<Platform> {
  assertPlatformName(name);
  const platform = { id: newId(PREFIX.platform), name, created_at: deps.now() };
  await deps.platforms.insert(platform);
  return { ...platform, credential_lock: 0 };
}

export async function getPlatform(deps: { platforms: Pick<PlatformStore, 'findByName'> }, name: string): Promise<Platform> {
  const platform = await deps.platforms.findByName(name);
  if (!platform) throw new TesseraError('not_found', `Platform ${name} does not exist`);
  return platform;
}

/** A platform as shown to people. */
export interface PlatformView {
  platformName: string;
  created_at: string;
}

export async function listPlatforms(deps: { platforms: Pick<PlatformStore, 'list'> }): Promise<PlatformView[]> {
  return (await deps.platforms.list()).map((p) => ({ platformName: p.name, created_at: new Date(p.created_at).toISOString() }));
}
