import type { Kysely } from 'kysely';
import { emailSpelling } from './email-spelling.js';

// The rows as this migration reads them: it runs before the schema type holds.
interface EmailRow {
  id: string;
  email: string;
  created_at: number | string;
}
interface InvitationRow extends EmailRow {
  platform_id: string;
}

/**
 * Migration 0012: every stored email in its one spelling (store/email-spelling.ts), so that lookups,
 * which spell what they are given, find the rows made before. Look-alike users (the NFC and NFD
 * spellings of one address, two accounts) cannot both have it: the oldest account, the one that held
 * the address first, takes it; a younger one keeps, or takes over, a spelling that no sign-in produces
 * any more, so its user cannot sign in until an operator removes it (`tessera users remove`) or the
 * address is sorted out. Of look-alike pending invitations to one platform, the oldest stays.
 * The audit log is left as it is: it is hash-chained and records what was typed.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as in migrations.ts
export async function respellEmails(db: Kysely<any>): Promise<void> {
  const users = (await db.selectFrom('users').select(['id', 'email', 'created_at']).orderBy('created_at').orderBy('id').execute()) as EmailRow[];
  for (const group of lookAlikes(users, (u) => emailSpelling(u.email)).values()) {
    const [oldest, ...younger] = group;
    const spelling = emailSpelling(oldest!.email);
    if (oldest!.email === spelling) continue;
    // The spelling may be held by a younger look-alike: it takes the oldest's old spelling, which is
    // free once the oldest moves. The id (no @, never an email) stands in meanwhile for the unique index.
    const holder = younger.find((u) => u.email === spelling);
    if (holder) await db.updateTable('users').set({ email: holder.id }).where('id', '=', holder.id).execute();
    await db.updateTable('users').set({ email: spelling }).where('id', '=', oldest!.id).execute();
    if (holder) await db.updateTable('users').set({ email: oldest!.email }).where('id', '=', holder.id).execute();
  }

  const invitations = (await db
    .selectFrom('invitations')
    .select(['id', 'platform_id', 'email', 'created_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute()) as InvitationRow[];
  for (const group of lookAlikes(invitations, (i) => `${i.platform_id} ${emailSpelling(i.email)}`).values()) {
    const [oldest, ...younger] = group;
    if (younger.length > 0) await db.deleteFrom('invitations').where('id', 'in', younger.map((i) => i.id)).execute();
    const spelling = emailSpelling(oldest!.email);
    if (oldest!.email !== spelling) await db.updateTable('invitations').set({ email: spelling }).where('id', '=', oldest!.id).execute();
  }
}

/** The rows by their key, each group oldest first (the rows come ordered). */
function lookAlikes<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
