import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject, sign, verify } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { TesseraError } from '../errors/tessera-error.js';

/** The audit signing key's file in the data folder, when TESSERA_AUDIT_SIGNING_KEY is not set. */
export const AUDIT_SIGNING_KEY_FILE = 'audit-signing-key';

/** The DER prefix of an Ed25519 private key in PKCS #8 (RFC 8410 §7): the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The public half, as verifiers need it: the key, its JWK (RFC 8037 §2) with its kid, and where it came from. */
export interface AuditPublicKey {
  key: KeyObject;
  /** The RFC 7638 thumbprint of the JWK, base64url: the `kid` every checkpoint names. */
  kid: string;
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; use: 'sig'; alg: 'EdDSA' };
  source: string;
}

export interface AuditSigningKey extends AuditPublicKey {
  privateKey: KeyObject;
}

/** The key from its 32-byte seed, base64 (the setting's and the file's format). */
export function auditSigningKeyFromSeed(base64: string, source: string): AuditSigningKey {
  const seed = Buffer.from(base64.trim(), 'base64');
  if (seed.length !== 32) throw new TesseraError('cannot_start', `The audit signing key in ${source} does not hold 32 bytes in base64`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  return { ...publicKeyOf(createPublicKey(privateKey), source), privateKey };
}

/** A public key's JWK and RFC 7638 thumbprint. */
export function publicKeyOf(key: KeyObject, source: string): AuditPublicKey {
  if (key.asymmetricKeyType !== 'ed25519') throw new TesseraError('invalid_input', `The audit public key in ${source} is not an Ed25519 key`);
  const { x } = key.export({ format: 'jwk' }) as { x: string };
  // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
  const kid = createHash('sha256').update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x })).digest('base64url');
  return { key, kid, jwk: { kty: 'OKP', crv: 'Ed25519', x, kid, use: 'sig', alg: 'EdDSA' }, source };
}

/**
 * A public key as a verifier is given it (`--public-key <file>`): the JWK that /.well-known/tessera-audit-key
 * serves and `tessera audit key --json` prints, or a PEM public key (SPKI).
 */
export function parseAuditPublicKey(text: string, source: string): AuditPublicKey {
  const trimmed = text.trim();
  try {
    const key = trimmed.startsWith('{')
      ? createPublicKey({ key: JSON.parse(trimmed) as JsonWebKey, format: 'jwk' })
      : createPublicKey({ key: trimmed, format: 'pem' });
    return publicKeyOf(key, source);
  } catch (error) {
    if (error instanceof TesseraError) throw error;
    throw new TesseraError('invalid_input', `${source} holds no Ed25519 public key: give the JWK of /.well-known/tessera-audit-key or a PEM public key`);
  }
}

/** Ed25519 (RFC 8032) over `message`: base64url. */
export function signWith(key: AuditSigningKey, message: string): string {
  return sign(null, Buffer.from(message, 'utf8'), key.privateKey).toString('base64url');
}

export function verifyWith(key: AuditPublicKey, message: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(message, 'utf8'), key.key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/**
 * The audit signing key, kept out of the database on purpose: a checkpoint signed with it anchors a chain
 * against someone who can write to the store (RFC 9162 §4.10's signed tree heads serve the same end).
 * From TESSERA_AUDIT_SIGNING_KEY when set; otherwise the file {@link AUDIT_SIGNING_KEY_FILE} in the data
 * folder, created (mode 0600) the first time a checkpoint is signed or the key is published. Loaded once.
 */
export class AuditKeys {
  private loaded: Promise<AuditSigningKey> | undefined;

  constructor(
    private readonly configured: string | undefined,
    private readonly dataDir: string,
    private readonly log: Pick<FastifyBaseLogger, 'warn'>,
  ) {}

  /** Where the key is read from, for messages. */
  get source(): string {
    return this.configured ? 'TESSERA_AUDIT_SIGNING_KEY' : path.join(this.dataDir, AUDIT_SIGNING_KEY_FILE);
  }

  /** The signing key, made on first use when none exists. */
  signingKey(): Promise<AuditSigningKey> {
    this.loaded ??= this.loadOrCreate().catch((error: unknown) => {
      this.loaded = undefined;
      throw error;
    });
    return this.loaded;
  }

  /**
   * The public key to verify with, never creating one: a verifier that found no key would otherwise make
   * a new one, and then call every checkpoint forged.
   */
  async existingPublicKey(): Promise<AuditPublicKey | undefined> {
    if (this.configured) return this.signingKey();
    try {
      return auditSigningKeyFromSeed(await readFile(this.source, 'utf8'), this.source);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private async loadOrCreate(): Promise<AuditSigningKey> {
    if (this.configured) return auditSigningKeyFromSeed(this.configured, 'TESSERA_AUDIT_SIGNING_KEY');
    const file = this.source;
    try {
      return auditSigningKeyFromSeed(await readFile(file, 'utf8'), file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    const seed = (privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer).subarray(PKCS8_ED25519_PREFIX.length);
    try {
      // 'wx' fails if another process created it first: then use theirs.
      await writeFile(file, `${seed.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return auditSigningKeyFromSeed(await readFile(file, 'utf8'), file);
    }
    this.log.warn(
      { file },
      'TESSERA_AUDIT_SIGNING_KEY is not set: generated the audit signing key in the data folder. Keep it out of the ' +
        "database's backups (whoever holds it can sign checkpoints) and keep a copy: without it, new checkpoints get a new key id.",
    );
    return auditSigningKeyFromSeed(seed.toString('base64'), file);
  }
}
