import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { SealedBox } from '../crypto/sealed-box.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { SigningAlgorithm } from '../config/config.js';
import type { NewSigningKey, SigningKeyRow, SigningKeyStore } from '../store/signing-keys.js';

type Key = Awaited<ReturnType<typeof importJWK>>;

export interface SigningKey {
  kid: string;
  alg: string;
  publicJwk: JWK;
  publicKey: Key;
  /**
   * node:crypto's own key object, which signs (jws-sign.ts) with no conversion: Node 24 deprecates making a
   * KeyObject from a non-extractable WebCrypto key, as jose's importJWK returns (DEP0204, nodejs.org/api/deprecations.html#DEP0204).
   */
  privateKey: KeyObject;
  signFrom: number;
  retiredAt: number | null;
}

export interface KeyRingOptions {
  algorithm: SigningAlgorithm;
  /**
   * How long retired keys stay published: the lifetime of the longest token they may have signed, plus
   * leeway. Asked at each load, since the longest lifetime is the longest audience's (issue 22), and an
   * operator registers audiences while the server runs.
   */
  keepRetiredMs: () => Promise<number>;
  /** How often every instance re-reads the keys from the store. */
  refreshIntervalMs: number;
  now: () => number;
}

/**
 * The JWT signing keys, held in memory by every instance and re-read from the store on a timer.
 * A rotated key only starts signing after two refresh intervals, so every instance publishes and
 * accepts it before the first token signed with it exists.
 */
export class KeyRing {
  private keys: SigningKey[] = [];
  private readonly byKid = new Map<string, SigningKey>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: SigningKeyStore,
    private readonly box: SealedBox,
    private readonly options: KeyRingOptions,
  ) {}

  /** Loads the keys, creating the first one on an empty store. */
  async load(): Promise<void> {
    const keepRetiredMs = await this.options.keepRetiredMs();
    let rows = await this.store.listLive(this.options.now(), keepRetiredMs);
    if (rows.length === 0) {
      // The first key signs from the start (0): no instance runs without holding it, so nothing waits for
      // its publication, and an instance whose clock is behind the one that made it signs at once too.
      await this.store.insertFirst(await this.newKeyRow(0));
      rows = await this.store.listLive(this.options.now(), keepRetiredMs);
    }
    const keys: SigningKey[] = [];
    for (const row of rows) keys.push(await this.toSigningKey(row));
    this.keys = keys;
    this.byKid.clear();
    for (const key of keys) this.byKid.set(key.kid, key);
  }

  /** Re-reads the keys on a timer; a failed read keeps the keys already held. */
  startRefresh(onError: (error: unknown) => void): void {
    this.timer = setInterval(() => this.load().catch(onError), this.options.refreshIntervalMs);
    this.timer.unref();
  }

  stopRefresh(): void {
    clearInterval(this.timer);
  }

  /** Adds a new current key; it signs from two refresh intervals from now. */
  async rotate(): Promise<{ kid: string; signFrom: number }> {
    const row = await this.newKeyRow(this.options.now() + 2 * this.options.refreshIntervalMs);
    await this.store.rotate(row);
    await this.load();
    return { kid: row.kid, signFrom: row.sign_from };
  }

  /** The key to sign with now: the newest whose time has come (ties broken by kid, the same on every instance). */
  signer(): SigningKey {
    const now = this.options.now();
    const key = this.keys.find((k) => k.signFrom <= now);
    if (!key) throw new Error('No signing key is ready');
    return key;
  }

  /** A published key by `kid`: a map lookup, never I/O, whatever the kid. */
  verificationKey(kid: unknown): SigningKey | undefined {
    return typeof kid === 'string' ? this.byKid.get(kid) : undefined;
  }

  /** The JSON Web Key Set (RFC 7517 §5) of every key that may have signed a live token. */
  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  private async newKeyRow(signFrom: number): Promise<NewSigningKey> {
    const alg = this.options.algorithm;
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(privateKey);
    return {
      kid,
      alg,
      public_jwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
      private_jwk_sealed: this.box.seal(JSON.stringify(privateJwk), `signing-key:${kid}`),
      created_at: this.options.now(),
      sign_from: signFrom,
    };
  }

  private async toSigningKey(row: SigningKeyRow): Promise<SigningKey> {
    const held = this.byKid.get(row.kid);
    if (held) return { ...held, retiredAt: row.retired_at, signFrom: row.sign_from };
    const publicJwk = JSON.parse(row.public_jwk) as JWK;
    let privateJwk: JWK;
    try {
      privateJwk = JSON.parse(this.box.open(row.private_jwk_sealed, `signing-key:${row.kid}`)) as JWK;
    } catch {
      throw new TesseraError('cannot_start', `Cannot decrypt the signing keys: ${this.box.source} is not the key they were sealed with`);
    }
    return {
      kid: row.kid,
      alg: row.alg,
      publicJwk,
      publicKey: await importJWK(publicJwk, row.alg),
      privateKey: createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' }),
      signFrom: row.sign_from,
      retiredAt: row.retired_at,
    };
  }
}
