/** One challenge of a `WWW-Authenticate` header: the scheme (lower case) and its auth-params (names lower case). */
export interface AuthChallenge {
  scheme: string;
  params: Map<string, string>;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

/**
 * Parses a `WWW-Authenticate` field value (RFC 9110 §11.6.1) into its challenges. Several challenges
 * may share one field (and several fields are joined with `, ` by `Headers.get`), auth-param values
 * may be quoted strings containing commas. Malformed parts are skipped, never thrown on.
 */
export function parseChallenges(header: string | null): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  if (!header) return challenges;
  const n = header.length;
  let i = 0;
  let current: AuthChallenge | null = null;
  const skipSpaces = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && TCHAR.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  while (i < n) {
    while (i < n && (header[i] === ' ' || header[i] === '\t' || header[i] === ',')) i++;
    if (i >= n) break;
    const name = readToken();
    if (name.length === 0) {
      i++; // not a token character: skip it
      continue;
    }
    skipSpaces();
    if (header[i] === '=' && header[i + 1] !== '=') {
      // An auth-param of the current challenge: name = token / quoted-string.
      i++;
      skipSpaces();
      let value: string;
      if (header[i] === '"') {
        i++;
        value = '';
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i];
          i++;
        }
        i++; // the closing quote
      } else {
        value = readToken();
      }
      if (current && !current.params.has(name.toLowerCase())) current.params.set(name.toLowerCase(), value);
      continue;
    }
    // A new challenge: the scheme, then possibly a token68 (`Negotiate abc==`), skipped.
    current = { scheme: name.toLowerCase(), params: new Map() };
    challenges.push(current);
    const token68 = TOKEN68.exec(header.slice(i));
    if (token68) {
      let j = i + token68[0].length;
      while (j < n && (header[j] === ' ' || header[j] === '\t')) j++;
      if (j >= n || header[j] === ',') i = j;
    }
  }
  return challenges;
}

/**
 * Whether a 401 may be about the bearer token, so that a new token may help (RFC 6750 §3.1): a `Bearer`
 * challenge with `error="invalid_token"` or with no error code, or no challenge at all (RFC 9110 §15.5.2
 * requires one; a server that leaves it out says nothing against the token). A 401 whose challenges
 * point elsewhere — only Basic or another scheme, or a Bearer error such as `insufficient_scope` or
 * `invalid_request` — is not about the token.
 */
export function isInvalidBearerToken(header: string | null): boolean {
  const challenges = parseChallenges(header);
  if (challenges.length === 0) return true;
  return challenges.some((c) => {
    if (c.scheme !== 'bearer') return false;
    const error = c.params.get('error');
    return error === undefined || error === 'invalid_token';
  });
}
