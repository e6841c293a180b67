/**
 * The names under which the portal is this server, from the public URL alone: never from the request,
 * whose Host a DNS-rebinding page chooses (it points its own name at this server's address, and the
 * browser then sends `Host: evil.example` with `Origin: http://evil.example`, a matching pair).
 */
export interface ThisServer {
  /** The public URL's origin (RFC 6454 §6.1), named in refusals. */
  origin: string;
  /** Whether a browser's `Origin` header (RFC 6454 §7) is one of this server's origins. */
  isOrigin(origin: string): boolean;
  /** Whether a `Host` header (RFC 9110 §7.2: host and optional port) names this server. */
  isHost(host: string | undefined): boolean;
}

/**
 * The loopback names a person on this machine types (RFC 6761 §6.3 `localhost`, 127.0.0.1, ::1). No
 * page elsewhere can make a browser send them: a rebinding page's Host is its own name.
 */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** A public URL on this machine: loopback, or the unspecified address HOST=0.0.0.0 makes the default. */
function isLocal(hostname: string): boolean {
  return LOOPBACK_NAMES.includes(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === '0.0.0.0' || hostname === '[::]';
}

// uri-host [ ":" port ]: a name or IPv4 address (underscores too, as container names have them), or an
// IPv6 literal in brackets (RFC 3986 §3.2.2).
const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::\d{1,5})?$/;

/**
 * The public URL's origin and host name; when that URL is on this machine (the default
 * http://127.0.0.1:8080), also the loopback names on its port, so a newcomer who opens
 * http://localhost:8080 can sign up. The Host is checked by name only: a rebinding page can choose its
 * port but not make a browser name this server, and Origin (checked with the port) tells apart the
 * other services of this machine.
 */
export function thisServer(publicUrl: string): ThisServer {
  const url = new URL(publicUrl);
  const origins = new Set([url.origin]);
  const names = new Set([url.hostname]);
  if (isLocal(url.hostname)) {
    for (const name of LOOPBACK_NAMES) {
      const alias = new URL(url.origin);
      alias.hostname = name;
      origins.add(alias.origin);
      names.add(name);
    }
  }
  return {
    origin: url.origin,
    isOrigin: (origin) => origins.has(origin),
    isHost: (host) => {
      const match = HOST.exec((host ?? '').toLowerCase());
      return match !== null && names.has(match[1]!);
    },
  };
}
