import { type Static, Type } from 'typebox';
import { INSTANT, OrNull } from './fields.js';

/** An audit entry: its time in UTC, the hashes left out. */
export const AuditEntryView = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  at: INSTANT,
  actor: Type.String(),
  action: Type.String(),
  targetId: Type.String(),
  sourceAddress: OrNull(Type.String()),
  userAgent: OrNull(Type.String()),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
});
export type AuditEntryView = Static<typeof AuditEntryView>;

/**
 * A page of entries, newest first; `next` is the `before` of the next (older) page, or null after the last.
 * `entriesSince`: the time of the oldest entry the store holds (null: none yet); `olderArchived`: whether
 * older ones were archived out of the store (`tessera audit archive`, TESSERA_AUDIT_RETENTION_DAYS).
 */
export const AuditPage = Type.Object({
  entries: Type.Array(AuditEntryView),
  next: OrNull(Type.Integer()),
  entriesSince: OrNull(INSTANT),
  olderArchived: Type.Boolean(),
});
export type AuditPage = Static<typeof AuditPage>;
