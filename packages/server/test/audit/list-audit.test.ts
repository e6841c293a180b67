import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/audit/list-audit.js';
import { type AuditAction, recordAudit } from '../../src/audit/record-audit.js';
import { createPlatform } from '../../src/credentials/platforms.js';
import type { Services } from '../../src/services.js';
import { refusal } from '../support/refusal.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type TestEnvironment } from '../support/services.js';

describe.each(STORE_KINDS)('listing the audit log on %s', (store) => {
  let env: TestEnvironment;
  let services: Services;
  const T0 = Date.parse('2026-11-28T12:00:00.000Z');
  const MINUTE = 60_000;

  beforeAll(async () => {
    ({ env, services } = await startDeployment({ store }));
    // acme: seq 1–6, one a minute from T0; other: one entry, which acme never sees.
    const acme = await createPlatform(services, 'acme');
    const other = await createPlatform(services, 'other');
    const actions: AuditAction[] = ['generate', 'reveal', 'generate', 'token_refused', 'reveal', 'delete'];
    for (const [i, action] of actions.entries()) {
      env.clock.current = T0 + i * MINUTE;
      await recordAudit(services, { actor: 'ann@example.com', sourceAddress: '203.0.113.7', userAgent: 'UA' }, { platformId: acme.id, action, targetId: `key_${i + 1}` });
    }
    await recordAudit(services, { actor: 'cli' }, { platformId: other.id, action: 'reveal', targetId: 'key_other' });
  });
  afterAll(async () => env?.close());

  const seqs = async (filter: Parameters<typeof listAudit>[2]) => {
    const page = await listAudit(services, 'acme', filter);
    return { seqs: page.entries.map((e) => e.seq), next: page.next };
  };

  it('shows each entry exactly, newest first', async () => {
    const page = await listAudit(services, 'acme', { limit: 2 });
    expect(page).toStrictEqual({
      entries: [
        {
          id: expect.stringMatching(/^aud_/),
          seq: 6,
          at: '2026-11-28T12:05:00.000Z',
          actor: 'ann@example.com',
          action: 'delete',
          target_id: 'key_6',
          source_address: '203.0.113.7',
          user_agent: 'UA',
          outcome: 'success',
        },
        expect.objectContaining({ seq: 5, at: '2026-11-28T12:04:00.000Z', action: 'reveal', target_id: 'key_5' }),
      ],
      next: 5,
    });
  });

  it('pages on seq: next is the before of the following page, null on the last', async () => {
    expect(await seqs({ limit: 4 })).toStrictEqual({ seqs: [6, 5, 4, 3], next: 3 });
    expect(await seqs({ limit: 4, before: 3 })).toStrictEqual({ seqs: [2, 1], next: null });
    // A page that ends exactly at the oldest entry says so (no empty page after it).
    expect(await seqs({ limit: 3, before: 4 })).toStrictEqual({ seqs: [3, 2, 1], next: null });
    expect(await seqs({ limit: 6 })).toStrictEqual({ seqs: [6, 5, 4, 3, 2, 1], next: null });
    expect(await seqs({ limit: 200, before: 1 })).toStrictEqual({ seqs: [], next: null });
  });

  it('filters by action, and pages within the filter', async () => {
    expect(await seqs({ limit: 50, action: 'reveal' })).toStrictEqual({ seqs: [5, 2], next: null });
    expect(await seqs({ limit: 1, action: 'generate' })).toStrictEqual({ seqs: [3], next: 3 });
    expect(await seqs({ limit: 1, action: 'generate', before: 3 })).toStrictEqual({ seqs: [1], next: null });
    expect(await seqs({ limit: 50, action: 'sign_in' })).toStrictEqual({ seqs: [], next: null });
  });

  it('filters by time, from and to both inclusive', async () => {
    expect(await seqs({ limit: 50, from: T0 + MINUTE, to: T0 + 3 * MINUTE })).toStrictEqual({ seqs: [4, 3, 2], next: null });
    expect(await seqs({ limit: 50, from: T0 + MINUTE + 1, to: T0 + 3 * MINUTE - 1 })).toStrictEqual({ seqs: [3], next: null });
    expect(await seqs({ limit: 50, from: T0 + 5 * MINUTE })).toStrictEqual({ seqs: [6], next: null });
    expect(await seqs({ limit: 50, to: T0 })).toStrictEqual({ seqs: [1], next: null });
    expect(await seqs({ limit: 50, from: T0, to: T0 })).toStrictEqual({ seqs: [1], next: null });
    expect(await seqs({ limit: 1, action: 'reveal', from: T0, to: T0 + 4 * MINUTE })).toStrictEqual({ seqs: [5], next: 5 });
    expect(await seqs({ limit: 1, action: 'reveal', from: T0, to: T0 + 4 * MINUTE, before: 5 })).toStrictEqual({ seqs: [2], next: null });
  });

  it('refuses bad input with what is wrong, and an unknown platform', async () => {
    const invalid = (message: string) => ({ code: 'invalid_input', message });
    const limit = invalid('Invalid limit: use a whole number from 1 to 200');
    for (const bad of [0, 201, 1.5, -1, Number.NaN]) expect(await refusal(listAudit(services, 'acme', { limit: bad }))).toStrictEqual(limit);
    expect(await refusal(listAudit(services, 'acme', { limit: 5, action: 'drop table' }))).toStrictEqual(
      invalid(
        'Unknown audit action: use one of generate, activate, deactivate, delete, reveal, copy, reset_quota, sign_up, sign_in, sign_out, invite, join, remove_user, token_issued, token_refused, token_limit_observed, client_limits_changed, register_card, unregister_card, deposit, place_order, resend_order, reveal_reward',
      ),
    );
    expect(await refusal(listAudit(services, 'acme', { limit: 5, action: 'toString' }))).toMatchObject({ code: 'invalid_input' });
    expect(await refusal(listAudit(services, 'acme', { limit: 5, from: T0 + 1, to: T0 }))).toStrictEqual(invalid('Invalid time range: from is after to'));
    expect(await refusal(listAudit(services, 'acme', { limit: 5, from: Number.NaN }))).toStrictEqual(invalid('Invalid from: it must be a time (epoch milliseconds)'));
    expect(await refusal(listAudit(services, 'acme', { limit: 5, to: 1.5 }))).toStrictEqual(invalid('Invalid to: it must be a time (epoch milliseconds)'));
    for (const before of [0, -3, 2.5]) {
      expect(await refusal(listAudit(services, 'acme', { limit: 5, before }))).toStrictEqual(invalid('Invalid before: use the next of the previous page (a whole number from 1)'));
    }
    expect(await refusal(listAudit(services, 'nowhere', { limit: 5 }))).toStrictEqual({ code: 'not_found', message: 'Platform nowhere does not exist' });
  });
});
