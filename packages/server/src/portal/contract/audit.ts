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

/** A page of entries, newest first; `next` is the `before` of the next (older) page, or null after the last. */
export const AuditPage = Type.Object({ entries: Type.Array(AuditEntryView), next: OrNull(Type.Integer()) });
export type AuditPage = Static<typeof AuditPage>;
