/** Masks every secret of 8 characters or more in `text`: error texts may echo what was sent. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  // (A value shorter than 8 characters is no real secret, and masking it would garble the text.)
  for (const secret of secrets) {
    if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  return out;
}
