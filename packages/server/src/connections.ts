import type { ServerOptions } from 'node:http';
import { isIPv6, type Server, type Socket } from 'node:net';
import { plural } from '@gasgauge/core';

/** Client connections open at once (`--max-connections`), lowered at start to what the open-file limit leaves. */
export const DEFAULT_MAX_CONNECTIONS = 10_000;
/** Connections open at once from one client address (`--max-connections-per-client`; 0 turns the cap off). */
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 64;

export interface ConnectionTimeouts {
  /** From a request's first byte until its headers have all arrived (a silent new connection counts from its accept). */
  headersMs: number;
  /** From a request's first byte until its body has all arrived. A response may take as long as it needs (live streams). */
  requestMs: number;
  /** An idle keep-alive connection is closed after this (Node adds 1 s, so a client told `timeout=5` closes first). */
  keepAliveMs: number;
}

export const CONNECTION_TIMEOUTS: ConnectionTimeouts = { headersMs: 10_000, requestMs: 60_000, keepAliveMs: 5_000 };
/** How often Node looks for connections past the headers or request timeout: each is closed at most this late. */
export const TIMEOUT_CHECK_MS = 1_000;

/** node:http's options for these timeouts: past them Node answers 408 and closes the connection. */
export function timeoutOptions(t: ConnectionTimeouts): ServerOptions {
  return {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  };
}

/** An IPv6 site (/48) may hold this many times the per-client cap, over all its /64s (see clientKeys). */
export const SITE_FACTOR = 4;

/**
 * Every key a connection from `address` counts under. First its client: an IPv4 address (also when it arrives
 * IPv4-mapped on a dual-stack socket), or an IPv6 address's /64, since one host is routinely given a whole /64 and
 * could otherwise open every connection from a different address. For IPv6, its site's /48 too, which may hold
 * SITE_FACTOR times the per-client cap. A site is routinely given a /48, that is 65,536 /64s: without the site's cap
 * ~160 of them filled the whole --max-connections.
 */
export function clientKeys(address: string): string[] {
  const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i)?.[1];
  if (mapped !== undefined) return [mapped];
  const plain = address.split('%')[0] as string;
  if (!isIPv6(plain)) return [address];
  const [head = '', tail] = plain.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail counts as one group here; it only ever sits in the last 32 bits, past the /64.
  const groups = (
    tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
  ).map((g) => Number.parseInt(g, 16).toString(16));
  return [`${groups.slice(0, 4).join(':')}::/64`, `${groups.slice(0, 3).join(':')}::/48`];
}

/**
 * Connections open per key (clientKeys): a new one is counted under all its keys, or under none when one of them
 * is at its cap (perClient for a client, SITE_FACTOR × perClient for an IPv6 site).
 */
export class ClientCounts {
  private readonly open = new Map<string, number>();

  constructor(private readonly perClient: number) {}

  /** Counts a connection from `address`: the keys to give back when it closes, or the key whose cap refused it. */
  take(address: string): { keys: string[] } | { refusedBy: string } {
    const keys = clientKeys(address);
    for (const [i, key] of keys.entries()) {
      const cap = i === 0 ? this.perClient : this.perClient * SITE_FACTOR;
      if ((this.open.get(key) ?? 0) >= cap) return { refusedBy: key };
    }
    for (const key of keys) this.open.set(key, (this.open.get(key) ?? 0) + 1);
    return { keys };
  }

  /** A connection `take` counted has closed. */
  release(keys: readonly string[]): void {
    for (const key of keys) {
      const left = (this.open.get(key) ?? 1) - 1;
      if (left === 0) this.open.delete(key);
      else this.open.set(key, left);
    }
  }

  /** Keys with a connection open (a closed connection leaves no entry behind). */
  get size(): number {
    return this.open.size;
  }
}

export interface ConnectionCaps {
  /** Connections open at once in all; past it Node closes a new one as soon as it is accepted. */
  maxConnections: number;
  /** Connections open at once per client (the first of clientKeys); 0 for no cap (behind a reverse proxy every client is the proxy). */
  maxPerClient: number;
  /** Count loopback clients under `maxPerClient` too; by default they are not (a reverse proxy on this machine is every client). */
  capLoopback: boolean;
}

/** Whether a peer's address (as Node gives it) is this machine: 127.0.0.0/8, also IPv4-mapped, or ::1. */
export function isLoopback(address: string): boolean {
  return /^(::ffff:)?127\./i.test(address) || address === '::1';
}

/** How often at most a line says connections were refused or not accepted, so an attack does not flood the log. */
const REFUSAL_LOG_MS = 60_000;

/** True at the first call and then at most once per REFUSAL_LOG_MS: when a counting log line may be written. */
function logGate(): () => boolean {
  let lastLogAt = Number.NEGATIVE_INFINITY;
  return () => {
    const now = Date.now();
    if (now - lastLogAt < REFUSAL_LOG_MS) return false;
    lastLogAt = now;
    return true;
  };
}

/**
 * Caps the connections of `server`. A refused connection is closed at once, with no answer: writing a
 * 503 would keep its descriptor until the client read it, and closing with the client's request unread
 * resets the connection, which may discard the answer before the client reads it anyway.
 */
export function capConnections(server: Server, caps: ConnectionCaps, log: (line: string) => void): void {
  server.maxConnections = caps.maxConnections;
  const refusals = new RefusalLog(caps, log);
  server.on('drop', () => refusals.total());
  if (caps.maxPerClient === 0) return;
  const counts = new ClientCounts(caps.maxPerClient);
  server.on('connection', (socket: Socket) => {
    // Undefined once the peer is already gone: nothing to count.
    if (socket.remoteAddress === undefined) return void socket.destroy();
    if (!caps.capLoopback && isLoopback(socket.remoteAddress)) return;
    const taken = counts.take(socket.remoteAddress);
    if ('refusedBy' in taken) {
      socket.destroy();
      return refusals.perClient(taken.refusedBy);
    }
    socket.once('close', () => counts.release(taken.keys));
  });
}

/**
 * Once listening, an accept that fails is emitted as the server's `error`, which with no listener ends
 * the process. libuv absorbs EMFILE with a descriptor it keeps spare, but not when another thread took
 * that descriptor meanwhile, nor ENFILE or ENOMEM: log them (at most once a minute) and go on accepting.
 */
export function logAcceptErrors(server: Server, log: (line: string) => void): void {
  let failed = 0;
  const due = logGate();
  server.on('error', (err: NodeJS.ErrnoException) => {
    failed++;
    if (!due()) return;
    log(
      `could not accept ${plural(failed, 'connection')} since the last such line: ${err.code ?? err.message} (the server goes on)`,
    );
    failed = 0;
  });
}

/** Counts refused connections and says so at most once per REFUSAL_LOG_MS (the first at once). */
class RefusalLog {
  private overTotal = 0;
  private overPerClient = 0;
  private lastClient = '';
  private readonly due = logGate();

  constructor(
    private readonly caps: ConnectionCaps,
    private readonly log: (line: string) => void,
  ) {}

  total(): void {
    this.overTotal++;
    this.maybeLog();
  }

  perClient(key: string): void {
    this.overPerClient++;
    this.lastClient = key;
    this.maybeLog();
  }

  private maybeLog(): void {
    if (!this.due()) return;
    const parts: string[] = [];
    if (this.overPerClient > 0) {
      parts.push(
        `${this.overPerClient} over --max-connections-per-client ${this.caps.maxPerClient} (${this.caps.maxPerClient * SITE_FACTOR} for an IPv6 /48; the latest from ${this.lastClient})`,
      );
    }
    if (this.overTotal > 0) parts.push(`${this.overTotal} over --max-connections ${this.caps.maxConnections}`);
    this.log(`refused connections, closed at once (counted since the last such line): ${parts.join('; ')}`);
    this.overTotal = 0;
    this.overPerClient = 0;
  }
}
