import { createHash, randomBytes } from 'node:crypto';
import { canonicalJsonAround, chainHash, GENESIS_HASH } from '../../src/crypto/audit-hash.js';
import { describe, expect, it } from 'vitest';
import { SealedBox } from '../../src/crypto/sealed-box.js';
import { digest, digestsEqual, newId, newSecret, newTimeOrderedId, PREFIX } from '../../src/crypto/secrets.js';
import { timeOfOrderedId } from '../support/ordered-ids.js';

describe('sealed box (AES-256-GCM under the master key)', () => {
  const box = new SealedBox(randomBytes(32));

  it('opens what it sealed, and the ciphertext holds no plaintext', () => {
    const sealed = box.seal('tsk_live_secret', 'api-key:key_1');
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(sealed).not.toContain('secret');
    expect(box.open(sealed, 'api-key:key_1')).toBe('tsk_live_secret');
    expect(box.seal('same', 'c')).not.toBe(box.seal('same', 'c'));
  });

  it('refuses another context, another key, and a tampered ciphertext', () => {
    const sealed = box.seal('value', 'signing-key:a');
    expect(() => box.open(sealed, 'signing-key:b')).toThrow();
    expect(() => new SealedBox(randomBytes(32)).open(sealed, 'signing-key:a')).toThrow();
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(() => box.open(tampered, 'signing-key:a')).toThrow();
    expect(() => box.open('v2.a.b.c', 'signing-key:a')).toThrow('Unrecognised sealed value');
  });
});

describe('identifiers and secrets', () => {
  it('have distinct prefixes and fixed lengths', () => {
    expect(new Set(Object.values(PREFIX)).size).toBe(Object.values(PREFIX).length);
    expect(newId(PREFIX.client)).toMatch(/^cli_[0-9A-Za-z]{22}$/);
    expect(newSecret(PREFIX.apiKey)).toMatch(/^tsk_live_[0-9A-Za-z]{43}$/);
    expect(new Set(Array.from({ length: 1000 }, () => newSecret('x'))).size).toBe(1000);
  });

  it('ordered by time: a later time sorts after, byte by byte; within one millisecond, random', () => {
    const at = Date.parse('2026-12-07T10:00:00Z');
    const id = newTimeOrderedId(PREFIX.auditEntry, at);
    expect(id).toMatch(/^aud_[0-9A-Za-z]{22}$/);
    // The 48 bits of the time lead the 128: 2^80 apart per millisecond, in base62.
    expect(timeOfOrderedId(id, 'aud_')).toBe(at);
    const times = [0, 1, 999, 1000, 61_999, 3_600_000, 86_400_000 * 365].map((d) => at + d);
    const ids = times.map((t) => newTimeOrderedId(PREFIX.auditEntry, t));
    expect([...ids].sort()).toEqual(ids);
    expect(Buffer.compare(Buffer.from(ids[0]!), Buffer.from(ids[1]!))).toBe(-1);
    expect(new Set(Array.from({ length: 1000 }, () => newTimeOrderedId('x', at))).size).toBe(1000);
  });

  it('compare digests', () => {
    expect(digest('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(digestsEqual(digest('a'), digest('a'))).toBe(true);
    expect(digestsEqual(digest('a'), digest('b'))).toBe(false);
    expect(digestsEqual(digest('a'), 'short')).toBe(false);
  });
});

describe('the audit chain hash', () => {
  it('is the same when a store fills the seq in itself: sha256(prev + head + seq + tail)', () => {
    // Values that JSON escapes, non-ASCII text, a null and numbers: PostgreSQL hashes the text as UTF-8.
    const fields = { target_id: 'cli_1', actor: 'a "quoted" \\ actor\n', user_agent: 'ünïcödé 🚀', source_address: null, at: 1_700_000_000_123, action: 'token_issued', id: 'aud_1', outcome: 'success', platform_id: 'plt_1' };
    const { head, tail } = canonicalJsonAround(fields, 'seq');
    for (const seq of [1, 42, 9_007_199_254]) {
      const filled = createHash('sha256').update(`${GENESIS_HASH}${head}${seq}${tail}`, 'utf8').digest('hex');
      expect(filled).toBe(chainHash(GENESIS_HASH, { ...fields, seq }));
    }
    expect(JSON.parse(`${head}7${tail}`)).toEqual({ ...fields, seq: 7 });
  });
});
