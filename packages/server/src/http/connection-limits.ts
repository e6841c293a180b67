import type { Server } from 'node:http';
import { BlockList, isIPv4, isIPv6, type Socket } from 'node:net';
import { logAtMostEvery } from '../log/log-at-most-every.js';

/** Why a connection was closed as soon as it was accepted: the global cap, or one address's share of it. */
export type ConnectionRefusal = 'max_connections' | 'address_share';

export interface ConnectionLimits {
  /** Connections open at once, from everyone (Node's server.maxConnections). */
  maxConnections: number;
  /** Connections one address (an IPv6 /64) may hold open at once; 0 for no share, only the global cap. */
  perAddress: number;
  /** Addresses or CIDRs with no share: trusted proxies, through which every client connects. */
  exempt: readonly string[];
}

export interface ConnectionLimitsReport {
  log: { warn(fields: object, message: string): void };
  /** Counts each refused connection (a metric), if given. */
  refused?: (reason: ConnectionRefusal) => void;
}

/** A refusal is logged at most this often per reason: a flood must not become a flood of log lines. */
const LOG_EVERY_MS = 60_000;

/**
 * Caps the connections `server` holds: globally, and per client address, so that one address holding
 * idle sockets cannot take every place of the global cap and lock everyone else out. A connection
 * past its address's share is reset as soon as it is accepted (an RST: no TIME_WAIT kept for it here).
 * Its count is taken on 'connection' and given back on 'close'.
 */
export function limitConnections(server: Server, limits: ConnectionLimits, report: ConnectionLimitsReport): void {
  server.maxConnections = limits.maxConnections;
  const warnDropped = refusalLog(report, 'max_connections', (refused) => [
    { refused },
    `connection refused: ${limits.maxConnections} connections are open (TESSERA_MAX_CONNECTIONS); refusals are logged at most once a minute`,
  ]);
  // Node closes a connection past maxConnections itself, before 'connection', and says so with 'drop'.
  server.on('drop', () => warnDropped());

  if (limits.perAddress === 0) return;
  const exempt = blockList(limits.exempt);
  const open = new Map<string, number>();
  let lastRefused = '';
  const warnShare = refusalLog(report, 'address_share', (refused) => [
    { address: lastRefused, refused },
    `connection refused: ${lastRefused} holds its share of ${limits.perAddress} connections (TESSERA_MAX_CONNECTIONS_PER_ADDRESS); refusals are logged at most once a minute`,
  ]);
  server.on('connection', (socket: Socket) => {
    // Undefined once the peer has already gone: nothing to count.
    if (socket.remoteAddress === undefined) return;
    const address = unmapped(socket.remoteAddress);
    if (exempt.check(address, isIPv4(address) ? 'ipv4' : 'ipv6')) return;
    const key = connectionAddressKey(address);
    const held = open.get(key) ?? 0;
    if (held >= limits.perAddress) {
      socket.resetAndDestroy();
      lastRefused = key;
      warnShare();
      return;
    }
    open.set(key, held + 1);
    socket.once('close', () => {
      const left = open.get(key)! - 1;
      if (left === 0) open.delete(key);
      else open.set(key, left);
    });
  });
}

/**
 * What one client's connections are counted under: its IPv4 address, or the /64 of its IPv6 address —
 * the smallest block a network hands a host (RFC 4291 §2.5.4, RFC 6177), so one host cannot take a
 * fresh share per address it picks from its /64.
 */
export function connectionAddressKey(address: string): string {
  const plain = unmapped(address.split('%')[0]!);
  if (!isIPv6(plain)) return plain;
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])));
  const [head, tail] = plain.split('::') as [string, string | undefined];
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? front : [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** An IPv4 client of a dual-stack listener shows as `::ffff:a.b.c.d`: it is the IPv4 address. */
function unmapped(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/** The addresses and CIDRs of config's TESSERA_TRUST_PROXY (validated there), as a set to check. */
function blockList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const plain = unmapped(address);
    const family = isIPv4(plain) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(plain, family);
    else list.addSubnet(plain, Number(bits), family);
  }
  return list;
}

/** Counts every refusal; logs one line, with how many were refused since the last, at most once a minute. */
function refusalLog(report: ConnectionLimitsReport, reason: ConnectionRefusal, line: (refused: number) => [object, string]): () => void {
  let refused = 0;
  const warn = logAtMostEvery(LOG_EVERY_MS, () => {
    const [fields, message] = line(refused);
    report.log.warn(fields, message);
    refused = 0;
  });
  return () => {
    refused += 1;
    report.refused?.(reason);
    warn();
  };
}
