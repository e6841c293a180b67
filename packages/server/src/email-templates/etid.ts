/**
 * Email Template Identifiers in Tango's format (the reference's example is `E000000`): E and six digits,
 * here the template's number on its platform, so a sandbox run gives the same etids every time.
 */
export const ETID_PATTERN = '^E[0-9]{6}$';

/** 1 → `E000001` */
export function etidOf(seq: number): string {
  return `E${String(seq).padStart(6, '0')}`;
}

/** `E000001` → 1; undefined for anything else (E000000 included: numbering starts at 1). */
export function seqOf(etid: string): number | undefined {
  if (!new RegExp(ETID_PATTERN).test(etid)) return undefined;
  const seq = Number(etid.slice(1));
  return seq > 0 ? seq : undefined;
}
