/**
 * The one spelling under which an email is stored, unique and looked up: NFKC, lower-cased, trimmed.
 * Applying it twice changes nothing (checked over every code point), so a stored spelling is its own.
 *
 * - **NFKC, not NFC.** NFC (what RFC 6532 §3.1 asks of mail headers) makes the composed and decomposed
 *   spellings of `é` one, the look-alike pair of the report. NFKC does that and also folds compatibility
 *   look-alikes, which NFC keeps apart: fullwidth `ａｎｎ＠ｅｘａｍｐｌｅ．ｃｏｍ` (what a CJK input
 *   method types), ligatures (`ﬁ`), mathematical letters (`𝐚`), superscripts. No mail provider hands out
 *   two mailboxes that differ only so, and UTS #46 maps domain names by NFKC the same way. Folding too
 *   much costs a refused second account, never a shared one: signing in still needs the password.
 *   Not folded: look-alikes of other scripts (Cyrillic `а` for Latin `a`), which are different letters.
 * - **Lower case** after NFKC (which can produce capitals, `ℌ` → `H`), then NFKC again, as Unicode's
 *   NFKC_Casefold does (UAX #44, `NFKC(toCasefold(NFKC(X)))`): case mapping does not promise a normalised result.
 * - **Trimmed** last, so the spaces NFKC makes of no-break spaces go too.
 *
 * Changing this needs a migration that respells the stored rows, as 0012_email_nfkc did.
 */
export function emailSpelling(email: string): string {
  return email.normalize('NFKC').toLowerCase().normalize('NFKC').trim();
}
